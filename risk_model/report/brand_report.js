/* Brand risk report: builds the facility table and the map markers from the embedded JSON.
   Data is only ever written with textContent / setAttribute, never parsed as HTML. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("facility-data").textContent);
  var BAND_ORDER = { critical: 0, high: 1, medium: 2, low: 3, unknown: 4 };
  /* default: band severity, then score (highest first), as every flrisk list */
  var state = { key: "band", descending: false, text: "", band: "" };
  var tbody = document.getElementById("facility-rows");
  var markers = document.getElementById("markers");
  var SVG = markers.namespaceURI; /* the inline SVG's namespace, without spelling out a URL */

  function cell(tag, text, className) {
    var element = document.createElement(tag);
    if (text !== null && text !== undefined) element.textContent = String(text);
    if (className) element.className = className;
    return element;
  }

  function searchable(row) {
    var parts = [row.name, row.country, row.id, row.os_id || "", row.band];
    row.drivers.forEach(function (d) { parts.push(d.description); });
    return parts.join(" ").toLowerCase();
  }
  data.forEach(function (row) { row._text = searchable(row); });

  function visible(row) {
    return (!state.band || row.band === state.band) && (!state.text || row._text.indexOf(state.text) >= 0);
  }

  function compare(a, b) {
    var x = a[state.key], y = b[state.key];
    if (state.key === "band") { x = BAND_ORDER[x]; y = BAND_ORDER[y]; }
    if (x === null || x === undefined) x = "";
    if (y === null || y === undefined) y = "";
    var order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
    if (state.descending) order = -order;
    /* ties: most severe band, then highest score, then name (whatever the sort direction) */
    if (order === 0) order = BAND_ORDER[a.band] - BAND_ORDER[b.band];
    if (order === 0) order = Number(b.score) - Number(a.score);
    if (order === 0) order = String(a.name).localeCompare(String(b.name));
    return order;
  }

  function driverDetails(row) {
    var details = document.createElement("details");
    details.appendChild(cell("summary", row.drivers.length + " driver(s)" +
      (row.drivers.length ? ": " + row.drivers[0].description : "")));
    var list = document.createElement("ul");
    row.drivers.forEach(function (d) {
      var item = cell("li", "[" + d.component + ", " + Number(d.points).toFixed(1) + " pts] " + d.description);
      item.appendChild(cell("span", d.evidence || "", "evidence"));
      list.appendChild(item);
    });
    details.appendChild(list);
    return details;
  }

  function renderRow(row) {
    var tr = document.createElement("tr");
    tr.setAttribute("data-facility-id", row.id);
    tr.id = "facility-" + row.id;
    var name = cell("td", row.name);
    name.appendChild(cell("span", row.id + (row.os_id ? " · OS ID " + row.os_id : ""), "evidence"));
    if (!located(row)) name.appendChild(cell("span", "no coordinates: not on the map", "nomap"));
    tr.appendChild(name);
    tr.appendChild(cell("td", row.country));
    tr.appendChild(cell("td", Number(row.score).toFixed(1), "num"));
    var band = cell("td");
    band.appendChild(cell("span", row.band, "pill band-" + row.band));
    if (row.band_reason) band.appendChild(cell("span", row.band_reason, "evidence band-reason"));
    if (row.location_check) band.appendChild(cell("span", "location check: " + row.location_check, "evidence"));
    tr.appendChild(band);
    tr.appendChild(cell("td", Number(row.confidence).toFixed(2), "num"));
    var drivers = cell("td");
    drivers.appendChild(driverDetails(row));
    tr.appendChild(drivers);
    return tr;
  }

  function located(row) { return row.lat !== null && row.lat !== undefined && row.lng !== null && row.lng !== undefined; }

  function renderMarker(row) {
    var circle = document.createElementNS(SVG, "circle");
    circle.setAttribute("cx", Number(row.lng).toFixed(2));
    circle.setAttribute("cy", (-Number(row.lat)).toFixed(2));
    circle.setAttribute("r", row.band === "critical" || row.band === "high" ? "1.6" : "1.1");
    circle.setAttribute("class", "marker band-" + row.band);
    circle.setAttribute("data-facility-id", row.id);
    var title = document.createElementNS(SVG, "title");
    title.textContent = row.name + " (" + row.band + ", " + Number(row.score).toFixed(1) + ")";
    circle.appendChild(title);
    circle.addEventListener("click", function () { focusRow(row.id); });
    return circle;
  }

  function focusRow(id) {
    var tr = document.getElementById("facility-" + id);
    if (!tr) return;
    Array.prototype.forEach.call(tbody.querySelectorAll("tr.highlight"), function (r) { r.className = ""; });
    tr.className = "highlight";
    tr.querySelector("details").open = true;
    tr.scrollIntoView({ block: "center" });
  }

  function render() {
    var rows = data.filter(visible).sort(compare);
    tbody.textContent = "";
    markers.textContent = "";
    var fragment = document.createDocumentFragment();
    rows.forEach(function (row) { fragment.appendChild(renderRow(row)); });
    tbody.appendChild(fragment);
    var mapped = rows.filter(located);
    mapped.slice().reverse().forEach(function (row) { markers.appendChild(renderMarker(row)); });
    var unmapped = rows.length - mapped.length;
    document.getElementById("shown-count").textContent =
      rows.length + " of " + data.length + " facilities shown, " + mapped.length + " on the map" +
      (unmapped ? " (" + unmapped + " without coordinates)" : "");
    Array.prototype.forEach.call(document.querySelectorAll("th button"), function (b) {
      if (b.getAttribute("data-key") === state.key) {
        b.setAttribute("aria-sort", state.descending ? "descending" : "ascending");
      } else {
        b.removeAttribute("aria-sort");
      }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("th button"), function (button) {
    button.addEventListener("click", function () {
      var key = button.getAttribute("data-key");
      state.descending = state.key === key ? !state.descending : key === "score" || key === "confidence";
      state.key = key;
      render();
    });
  });
  document.getElementById("filter").addEventListener("input", function (event) {
    state.text = event.target.value.trim().toLowerCase();
    render();
  });
  document.getElementById("band-filter").addEventListener("change", function (event) {
    state.band = event.target.value;
    render();
  });
  render();
})();
