/* The dashboard's map. Leaflet (vendored) is fetched only when the map comes near the screen or gets
   focus, so a cheap phone that never scrolls there never downloads it. Pins come from the GeoJSON
   endpoint with the page's filters. Tiles only when a tile URL is configured; otherwise, or when tiles
   cannot load, the pins stand on a blank background. Popups are built from text nodes: descriptions
   are citizens' free text and are never parsed as HTML. */
(function () {
  "use strict";
  var box = document.getElementById("peta-usulan");
  if (!box) { return; }
  var line = document.getElementById("peta-status");
  var started = false;

  function say(text) {
    if (line) { line.textContent = text; }
  }

  function paragraph(text) {
    var p = document.createElement("p");
    p.textContent = text;
    return p;
  }

  function popup(props) {
    var root = document.createElement("div");
    var title = document.createElement("p");
    var link = document.createElement("a");
    var strong = document.createElement("strong");
    link.href = props.url;
    link.textContent = props.code;
    strong.appendChild(link);
    title.appendChild(strong);
    root.appendChild(title);
    root.appendChild(paragraph(props.status_label + " · " + props.sector_label));
    root.appendChild(paragraph(props.desa + ", Kec. " + props.kecamatan));
    root.appendChild(paragraph(props.description));
    return root;
  }

  function draw() {
    var L = window.L;
    L.Icon.Default.prototype.options.imagePath = box.getAttribute("data-leaflet-images");
    var map = L.map(box, { scrollWheelZoom: false, keyboard: true });
    var tiles = box.getAttribute("data-tiles");
    if (tiles) {
      L.tileLayer(tiles, { attribution: box.getAttribute("data-attribution") || "", maxZoom: 19 }).addTo(map);
    }
    map.setView([-2.5, 118], 5);
    fetch(box.getAttribute("data-geojson"), { headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        var layer = L.geoJSON(data, {
          pointToLayer: function (feature, latlng) {
            var p = feature.properties;
            var label = p.code + ", " + p.desa + ": " + p.status_label;
            return L.marker(latlng, { title: label, alt: label, keyboard: true, riseOnHover: true });
          },
          onEachFeature: function (feature, marker) { marker.bindPopup(popup(feature.properties)); }
        }).addTo(map);
        var count = data.features.length;
        if (count) { map.fitBounds(layer.getBounds(), { padding: [30, 30], maxZoom: 15 }); }
        var base = tiles ? "" : " Mode luring: tanpa peta dasar.";
        say(count ? count + " usulan dengan titik lokasi ditampilkan." + base
                  : "Belum ada usulan dengan titik lokasi untuk pilihan ini.");
        box.setAttribute("data-pins", String(count));
      })
      .catch(function () { say("Titik usulan tidak dapat dimuat. Gunakan daftar usulan di atas."); });
  }

  function start() {
    if (started) { return; }
    started = true;
    var waiting = 2;  // the stylesheet and the script load side by side; the map needs both
    var ready = function () { waiting -= 1; if (waiting === 0) { draw(); } };
    var failed = function () { say("Peta tidak dapat dimuat. Gunakan daftar usulan di atas."); };
    var style = document.createElement("link");
    style.rel = "stylesheet";
    style.href = box.getAttribute("data-leaflet-css");
    style.onload = ready;
    style.onerror = failed;
    document.head.appendChild(style);
    var script = document.createElement("script");
    script.src = box.getAttribute("data-leaflet");
    script.onload = ready;
    script.onerror = failed;
    document.head.appendChild(script);
  }

  box.addEventListener("focus", start);
  if ("IntersectionObserver" in window) {
    var watcher = new IntersectionObserver(function (entries) {
      for (var i = 0; i < entries.length; i++) {
        if (entries[i].isIntersecting) { watcher.disconnect(); start(); return; }
      }
    }, { rootMargin: "300px" });
    watcher.observe(box);
  } else {
    start();
  }
}());
