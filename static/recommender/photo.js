// Photo search: drag and drop onto the drop zone, a preview of the chosen photo, and searches sent
// in the background so the chosen file stays in the form for the one-click category filter.
(function () {
  "use strict";
  var form = document.getElementById("photo-form");
  if (!form) return;
  var drop = document.getElementById("photo-drop");
  var input = form.querySelector("input[type=file]");
  var preview = document.getElementById("photo-preview");
  var results = document.getElementById("photo-results");
  var category = form.querySelector("input[name=category]");
  var previewUrl = null;

  function showPreview() {
    var file = input.files && input.files[0];
    if (previewUrl) URL.revokeObjectURL(previewUrl);
    previewUrl = null;
    if (!file || !/^image\//.test(file.type)) { preview.hidden = true; return; }
    previewUrl = URL.createObjectURL(file);
    preview.src = previewUrl;
    preview.hidden = false;
  }

  input.addEventListener("change", showPreview);
  ["dragenter", "dragover"].forEach(function (name) {
    drop.addEventListener(name, function (event) { event.preventDefault(); drop.classList.add("is-over"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    drop.addEventListener(name, function () { drop.classList.remove("is-over"); });
  });
  drop.addEventListener("drop", function (event) {
    event.preventDefault();
    if (!event.dataTransfer || !event.dataTransfer.files.length) return;
    input.files = event.dataTransfer.files;
    showPreview();
    if (category) category.value = "";
  });

  form.addEventListener("submit", function (event) {
    if (!window.fetch || !window.DOMParser) return; // the plain form post still works
    event.preventDefault();
    var data = new FormData(form);
    var submitter = event.submitter;
    if (submitter && submitter.name === "category") {
      data.set("category", submitter.value);
      if (category) category.value = submitter.value;
    }
    results.setAttribute("aria-busy", "true");
    fetch(form.action || window.location.href, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById("photo-results");
        if (fresh) results.innerHTML = fresh.innerHTML;
      })
      .catch(function () {
        results.innerHTML = '<p class="message message-error" role="alert">The search failed. Please try again.</p>';
      })
      .finally(function () { results.removeAttribute("aria-busy"); });
  });
})();
