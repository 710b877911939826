// The alliance page's network: drawn with Cytoscape.js from the elements the page carries
// (#network-data); the date slider and the options fetch the page again for another day
// and redraw from the elements and tables of its answer. Without scripts, the form and the tables do the same.
(function () {
  "use strict";
  var ROLE_COLOURS = {
    CHAIR: "#b3261e", VICE_CHAIR: "#a35200", DIRECTOR: "#1a5fb4", MEMBER: "#18703a", OBSERVER: "#5f6368"
  };
  var DAY = 86400000;
  var box = document.getElementById("cy");
  var form = document.getElementById("network-form");
  if (!box || !form || !window.cytoscape) { return; }
  var slider = document.getElementById("slider");
  var dateField = document.getElementById("asOf");
  var details = document.getElementById("edge-details");
  var earliest = Date.parse(slider.dataset.earliest);
  var today = Date.parse(slider.dataset.today);
  var cy = null;

  function isoOf(offset) { return new Date(earliest + offset * DAY).toISOString().slice(0, 10); }
  function offsetOf(iso) { return Math.round((Date.parse(iso) - earliest) / DAY); }

  function setUpSlider() {
    slider.max = String(Math.max(0, Math.round((today - earliest) / DAY)));
    slider.value = String(dateField.value ? offsetOf(dateField.value) : slider.max);
    slider.setAttribute("aria-valuetext", dateField.value || slider.dataset.today);
    slider.disabled = false;
  }

  function text(tag, content, className) {
    var element = document.createElement(tag);
    element.textContent = content;
    if (className) { element.className = className; }
    return element;
  }

  function showEdge(edge, names) {
    details.replaceChildren(text("h3", details.querySelector("h3").textContent));
    var pair = document.createElement("p");
    [edge.source, edge.target].forEach(function (id, i) {
      var link = text("a", names[id]);
      link.href = box.dataset.memberUrl.replace("__ID__", encodeURIComponent(id));
      if (i) { pair.append(" — "); }
      pair.append(link);
    });
    details.append(pair);
    var list = document.createElement("ul");
    list.id = "edge-agreements";
    edge.ties.forEach(function (tie) {
      var dates = (tie.startsOn || tie.endsOn) ? ", " + (tie.startsOn || "…") + " – " + (tie.endsOn || "…") : "";
      list.append(text("li", tie.label + (tie.status ? " (" + tie.status.toLowerCase().replace(/_/g, " ") + ")" : "") + dates));
    });
    details.append(list);
  }

  function draw() {
    var data = JSON.parse(document.getElementById("network-data").textContent);
    var showBridges = form.elements.bridges.checked;
    var showGaps = form.elements.gaps.checked;
    var names = {};
    var edgesById = {};
    var elements = [];
    var count = data.nodes.length;
    var large = count > 30;
    box.classList.toggle("large", large);
    data.nodes.forEach(function (node, i) {
      names[node.id] = node.label;
      var angle = 2 * Math.PI * i / Math.max(1, count);
      elements.push({
        group: "nodes", data: node,
        position: { x: 300 * Math.cos(angle), y: 300 * Math.sin(angle) }
      });
    });
    data.edges.forEach(function (edge) {
      edgesById[edge.id] = edge;
      elements.push({
        group: "edges",
        data: { id: edge.id, source: edge.source, target: edge.target, weight: edge.weight },
        classes: showBridges && edge.bridge ? "bridge" : ""
      });
    });
    if (showGaps) {
      data.gaps.forEach(function (pair) {
        elements.push({ group: "edges", data: { id: "gap:" + pair[0] + "~" + pair[1], source: pair[0], target: pair[1] }, classes: "gap" });
      });
    }
    if (cy) { cy.destroy(); }
    cy = window.cytoscape({
      container: box,
      elements: elements,
      wheelSensitivity: 0.3,
      style: [
        { selector: "node", style: {
          "background-color": function (n) { return ROLE_COLOURS[n.data("role")] || "#5f6368"; },
          "width": "data(size)", "height": "data(size)", "label": "data(label)",
          "font-size": large ? 22 : 13, "color": "#1f1f1f", "text-valign": "bottom", "text-margin-y": 4,
          "text-wrap": "wrap", "text-max-width": 160, "border-width": 2, "border-color": "#ffffff"
        } },
        { selector: "edge", style: {
          "width": function (e) { return 2 + 2 * Math.min(6, e.data("weight") || 1); },
          "line-color": "#6b7280", "curve-style": "bezier", "opacity": 0.85
        } },
        { selector: "edge.bridge", style: { "line-color": "#b3261e", "line-style": "solid" } },
        { selector: "edge.gap", style: { "width": 1, "line-color": "#9aa0a6", "line-style": "dashed", "opacity": 0.6, "events": "no" } },
        { selector: ":selected", style: { "border-color": "#111111", "border-width": 4, "line-color": "#111111" } }
      ],
      layout: { name: "preset" }
    });
    var drawn = cy.elements().not(".gap");
    if (data.edges.length) {
      drawn.layout({
        name: "cose", animate: false, randomize: false, fit: true, padding: 40,
        nodeDimensionsIncludeLabels: true, componentSpacing: 90, numIter: large ? 300 : 1000,
        idealEdgeLength: function () { return large ? 60 : 140; },
        nodeRepulsion: function () { return large ? 120000 : 600000; }
      }).run();
    } else {
      cy.layout({ name: "circle", fit: true, padding: 40, nodeDimensionsIncludeLabels: true }).run();
    }
    cy.on("tap", "node", function (event) {
      window.location.assign(box.dataset.memberUrl.replace("__ID__", encodeURIComponent(event.target.id())));
    });
    cy.on("tap", "edge", function (event) {
      var edge = edgesById[event.target.id()];
      if (edge) { showEdge(edge, names); }
    });
    box.setAttribute("aria-label", document.getElementById("network-count").textContent);
    box.dataset.drawn = String(data.nodes.length) + "/" + String(data.edges.length);
    window.partnergraphNetwork = cy;
  }

  function reload() {
    var params = new URLSearchParams(new FormData(form));
    var url = form.getAttribute("action").split("?")[0] + "?" + params.toString();
    window.history.replaceState(null, "", url);
    box.setAttribute("aria-busy", "true");
    window.fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("network-tables");
        if (!fresh) { throw new Error("no network in the answer"); }
        document.getElementById("network-tables").replaceWith(document.adoptNode(fresh));
        box.removeAttribute("aria-busy");
        draw();
      })
      .catch(function () { window.location.assign(url); });
  }

  slider.addEventListener("input", function () {
    dateField.value = isoOf(Number(slider.value));
    slider.setAttribute("aria-valuetext", dateField.value);
  });
  slider.addEventListener("change", reload);
  dateField.addEventListener("change", function () {
    if (dateField.value) { slider.value = String(offsetOf(dateField.value)); }
    reload();
  });
  form.addEventListener("change", function (event) {
    if (event.target !== slider && event.target !== dateField) { reload(); }
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); reload(); });
  setUpSlider();
  draw();
}());
