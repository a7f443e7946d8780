// Page behaviours declared in the markup with data- attributes, so that no page needs an
// inline script or event handler and the Content-Security-Policy can forbid both
// (tbib.core.middleware.ContentSecurityPolicyMiddleware, docs/security.md). Listeners sit on
// the document, so fragments swapped in by htmx behave the same.

// <select data-autosubmit>: choosing an option submits its form (the language switcher).
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) field.form.submit();
});

// <input type="range" data-zoom="CSS selector" data-zoom-property="width|zoom">: the slider
// sets that style property on every matching element (the ECG zoom); width is in percent.
document.addEventListener("input", (event) => {
  const slider = event.target.closest("input[data-zoom]");
  if (!slider) return;
  const property = slider.dataset.zoomProperty;
  const value = property === "width" ? `${slider.value}%` : slider.value;
  document.querySelectorAll(slider.dataset.zoom).forEach((element) => {
    element.style[property] = value;
  });
});
