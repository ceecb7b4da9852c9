// Sorting lists by drag and drop on the pipeline settings pages (sales/pipelines/_sortable.html).
// A static file because the Content-Security-Policy forbids inline scripts (core/csp.py).
// Drag and drop posts the whole new order to the list's reorder form; the up/down buttons are the
// keyboard way to do the same.
(function () {
  document.querySelectorAll("[data-sortable]").forEach(function (list) {
    Sortable.create(list, {
      handle: "." + list.dataset.item + "-handle",
      draggable: "." + list.dataset.item,
      animation: 150,
      onEnd: function (event) {
        if (event.oldIndex === event.newIndex) return;
        var form = document.getElementById(list.dataset.sortable);
        form.querySelectorAll("input[name=ids]").forEach(function (input) { input.remove(); });
        list.querySelectorAll(":scope > ." + list.dataset.item).forEach(function (item) {
          var input = document.createElement("input");
          input.type = "hidden";
          input.name = "ids";
          input.value = item.dataset.id;
          form.appendChild(input);
        });
        form.requestSubmit();
      }
    });
  });
})();
