// Live updates: one WebSocket per page; on any message, every element that declares
// data-live-src fetches its fragment again. Messages carry no patient data.
(function () {
  const targets = () => document.querySelectorAll("[data-live-src]");
  if (!targets().length) return;
  let delay = 1000;
  function refresh() {
    targets().forEach(function (el) {
      fetch(el.dataset.liveSrc, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html !== null) { el.innerHTML = html; el.dispatchEvent(new Event("live:updated")); } });
    });
  }
  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + location.host + "/ws/queue/");
    socket.onopen = function () { delay = 1000; document.body.dataset.live = "connected"; };
    socket.onmessage = refresh;
    socket.onclose = function () {
      document.body.dataset.live = "disconnected";
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();
