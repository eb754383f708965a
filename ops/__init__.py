"""Operating the stack: environments, model training cache, starting and stopping processes."""
