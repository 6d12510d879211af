// "Select all on this page" for a bulk form (救助审批, 逾期跟进改派), and how many are ticked.
(function () {
  "use strict";
  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    var form = all.form;
    var name = all.dataset.selectAll;
    var boxes = document.querySelectorAll('input[type=checkbox][name="' + name + '"][form="' + form.id + '"]');
    var counters = document.querySelectorAll(".selected-count");
    var zh = document.documentElement.lang.indexOf("zh") === 0;

    function refresh() {
      var ticked = 0;
      boxes.forEach(function (box) { if (box.checked) ticked += 1; });
      all.checked = ticked > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
      var text = ticked ? (zh ? "已勾选 " + ticked + " 项" : ticked + " selected") : "";
      counters.forEach(function (counter) { counter.textContent = text; });
    }

    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
      refresh();
    });
    boxes.forEach(function (box) { box.addEventListener("change", refresh); });
    refresh();
  });
})();
