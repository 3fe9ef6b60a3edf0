// Keyboard shortcuts for the step-annotation page. The form works without this file (plain radios and buttons);
// this only moves a focus between rows and ticks the same radios a click would.
(function () {
  "use strict";
  var form = document.getElementById("form");
  if (!form) {  // the stats and done pages: n goes back to the queue, t to the stats
    document.addEventListener("keydown", function (e) {
      var typing = e.target && (e.target.tagName === "INPUT" || e.target.tagName === "TEXTAREA");
      if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === "n") window.location.href = "/next";
      else if (e.key === "t") window.location.href = "/stats";
    });
    return;
  }
  var rows = Array.prototype.slice.call(form.querySelectorAll(".row"));
  var at = 0;

  function radios(row, prefix) {
    return Array.prototype.slice.call(row.querySelectorAll("input[type=radio][name^='" + prefix + "']"));
  }
  function choices(row) { return radios(row, row.dataset.step === "label" ? "label" : "verdict."); }
  function marks(row) { return radios(row, "mark."); }
  function pick(list, value) { list.forEach(function (r) { r.checked = r.value === value; }); }
  function value(list) { var r = list.filter(function (x) { return x.checked; })[0]; return r ? r.value : ""; }
  function isDone(row) { return value(choices(row)) !== "" || value(marks(row)) !== ""; }

  function paint() {
    rows.forEach(function (row, i) {
      row.classList.toggle("focus", i === at);
      var m = value(marks(row));
      row.classList.toggle("correct", m === "correct");
      row.classList.toggle("wrong", m === "wrong");
    });
  }
  function focus(i) {
    at = Math.max(0, Math.min(rows.length - 1, i));
    paint();
    rows[at].scrollIntoView({ block: "nearest" });
  }
  function advance() { if (at < rows.length - 1) focus(at + 1); else paint(); }

  function correct(row) {
    var model = row.dataset.model;
    if (row.dataset.step === "label") { if (model) pick(choices(row), model); return true; }
    pick(marks(row), "correct");
    pick(choices(row), model);
    return true;
  }
  function wrong(row) {
    if (row.dataset.step === "label") return false;
    pick(marks(row), "wrong");
    var others = row.dataset.verdicts.split(" ").filter(function (v) { return v !== row.dataset.model; });
    if (others.length === 1) { pick(choices(row), others[0]); return true; }
    if (value(choices(row)) === row.dataset.model) pick(choices(row), "");
    return false;  // wait for a digit: which verdict is right
  }
  function choose(row, n) {
    var list = choices(row);
    if (n < 1 || n > list.length) return false;
    var v = list[n - 1].value;
    pick(list, v);
    if (row.dataset.step !== "label" && row.dataset.model) pick(marks(row), v === row.dataset.model ? "correct" : "wrong");
    return true;
  }
  function clear(row) { pick(marks(row), ""); pick(choices(row), ""); }
  function submit(action) {
    var b = document.getElementById(action);
    if (b) b.click();
  }

  form.addEventListener("change", paint);
  rows.forEach(function (row, i) { row.addEventListener("click", function () { at = i; paint(); }); });

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var typing = e.target && (e.target.tagName === "INPUT" && e.target.type === "text" || e.target.tagName === "TEXTAREA");
    if (e.target && e.target.classList && e.target.classList.contains("reason")) typing = true;
    if (typing) {
      if (e.key === "Escape") { e.target.blur(); e.preventDefault(); }
      return;  // Enter in a reason field submits the form as usual
    }
    var row = rows[at], k = e.key;
    if (k === "j" || k === "ArrowDown") focus(at + 1);
    else if (k === "k" || k === "ArrowUp") focus(at - 1);
    else if (k === "c") { if (correct(row)) advance(); }
    else if (k === "w") { if (wrong(row)) advance(); else paint(); }
    else if (/^[1-9]$/.test(k)) { if (choose(row, parseInt(k, 10))) advance(); }
    else if (k === "x" || k === "0") { clear(row); paint(); }
    else if (k === "a") {
      rows.forEach(function (r) { if (r.dataset.step !== "label" && !isDone(r)) correct(r); });
      focus(rows.length - 1);
    }
    else if (k === "r") { row.querySelector(".reason").focus(); }
    else if (k === "Enter") submit("save");
    else if (k === "s") submit("skip");
    else if (k === "b") { var back = document.getElementById("back"); if (back) back.click(); }
    else if (k === "t") window.location.href = "/stats";
    else return;
    e.preventDefault();
  });

  var first = rows.findIndex(function (r) { return !isDone(r); });
  focus(first < 0 ? 0 : first);
})();
