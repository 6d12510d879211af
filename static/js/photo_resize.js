// Visit photos: shrink the camera's picture on the phone before it is sent, so an upload
// over a weak signal is a few hundred KB rather than several MB. The server checks and
// re-encodes it again (cases/photos.py); without this script the original is sent.
(function () {
  "use strict";
  var MAX_SIDE = 1600;
  var QUALITY = 0.85;
  var form = document.querySelector("[data-photo-form]");
  if (!form || !window.DataTransfer || !HTMLCanvasElement.prototype.toBlob) { return; }
  var input = form.querySelector("input[type=file]");
  var status = form.querySelector("[data-photo-status]");
  var pending = null;

  function shrink(file) {
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", QUALITY); });
    }).then(function (blob) {
      if (!blob || blob.size >= file.size) { return; }
      var transfer = new DataTransfer();
      transfer.items.add(new File([blob], "photo.jpg", { type: "image/jpeg" }));
      input.files = transfer.files;
      if (status) {
        status.hidden = false;
        status.textContent = status.dataset.done || "";
      }
    }).catch(function () { /* send the original: the server shrinks it too */ });
  }

  input.addEventListener("change", function () {
    var file = input.files && input.files[0];
    pending = file && file.type.indexOf("image/") === 0 ? shrink(file) : null;
  });
  form.addEventListener("submit", function (event) {
    if (!pending) { return; }
    event.preventDefault();
    var wait = pending;
    pending = null;
    wait.then(function () { form.submit(); });
  });
})();
