// The need form on a phone: offer only the subtypes of the chosen type, and let the worker
// record where the home is (the ten-minute circle is then measured in metres).
(function () {
  "use strict";
  var SUBTYPES = {
    survival: ["living", "medical", "housing", "goods", "legal", "other"],
    care: ["companionship", "daily_care", "psychological", "rehabilitation", "medical", "other"],
    development: ["schooling", "employment", "skills", "legal", "other"]
  };
  var form = document.querySelector("[data-need-form]");
  if (!form) { return; }
  var type = form.querySelector("select[name=type]");
  var subtype = form.querySelector("select[name=subtype]");
  function filterSubtypes() {
    if (!type || !subtype) { return; }
    var allowed = SUBTYPES[type.value] || [];
    Array.prototype.forEach.call(subtype.options, function (option) {
      option.hidden = allowed.indexOf(option.value) < 0;
    });
    if (allowed.indexOf(subtype.value) < 0) { subtype.value = allowed[0]; }
  }
  if (type) { type.addEventListener("change", filterSubtypes); filterSubtypes(); }

  var button = form.querySelector("[data-locate]");
  var shown = form.querySelector("[data-located]");
  if (button && navigator.geolocation) {
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (position) {
        form.querySelector("input[name=latitude]").value = position.coords.latitude.toFixed(6);
        form.querySelector("input[name=longitude]").value = position.coords.longitude.toFixed(6);
        shown.textContent = "✓";
      });
    });
  }
})();
