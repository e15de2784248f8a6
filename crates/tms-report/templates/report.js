// Filters for the findings list. The page reads fine without this script; it
// only hides findings. It reads model strings from data attributes and
// compares them, and never writes markup (no innerHTML), so a model string
// cannot become code here. The filters live in the URL's fragment
// (#severity=high&stride=I) so a filtered view can be linked to.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) {
    return;
  }
  var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-filter]"));
  var findings = Array.prototype.slice.call(document.querySelectorAll("article.finding"));
  var shown = document.getElementById("shown");

  function matches(f, key, value) {
    if (!value) {
      return true;
    }
    if (key === "stride") {
      return (f.getAttribute("data-stride") || "").split(" ").indexOf(value) >= 0;
    }
    return f.getAttribute("data-" + key) === value;
  }

  function apply(remember) {
    var wanted = [];
    selects.forEach(function (s) {
      if (s.value) {
        wanted.push([s.getAttribute("data-filter"), s.value]);
      }
    });
    var count = 0;
    findings.forEach(function (f) {
      var ok = wanted.every(function (w) { return matches(f, w[0], w[1]); });
      f.hidden = !ok;
      if (ok) {
        count += 1;
      }
    });
    if (shown) {
      shown.textContent = count + " of " + findings.length + " findings shown";
    }
    if (!remember) {
      return;
    }
    var params = new URLSearchParams();
    wanted.forEach(function (w) { params.set(w[0], w[1]); });
    try {
      history.replaceState(null, "", "#" + params.toString());
    } catch (e) {
      // Some browsers refuse history changes on file: pages; filtering still works.
    }
  }

  // The filters a fragment names (#target=web: a click on the diagram).
  function fromHash() {
    var initial = new URLSearchParams(location.hash.slice(1));
    selects.forEach(function (s) {
      var v = initial.get(s.getAttribute("data-filter"));
      // A value the list does not offer leaves the filter at "all".
      var offered = v !== null && Array.prototype.some.call(s.options, function (o) { return o.value === v; });
      s.value = offered ? v : "";
    });
  }

  fromHash();
  selects.forEach(function (s) {
    s.addEventListener("change", function () { apply(true); });
  });
  window.addEventListener("hashchange", function () {
    fromHash();
    apply(false);
    var list = document.getElementById("findings");
    if (list && location.hash.indexOf("target=") >= 0) {
      list.scrollIntoView();
    }
  });
  form.hidden = false;
  document.documentElement.classList.add("js");
  apply(false);
}());
