// Camera scanning where the browser has a barcode detector (Chromium on Android); a hand-held
// scanner types into the field instead, which needs no script.
if ("BarcodeDetector" in window) {
  const video = document.getElementById("scanner");
  document.querySelectorAll("button.camera").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", async () => {
      const detector = new BarcodeDetector({ formats: ["qr_code"] });
      const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      video.srcObject = stream; video.hidden = false; await video.play();
      const field = document.getElementById(button.dataset.target);
      const look = async () => {
        const codes = await detector.detect(video);
        if (codes.length) {
          stream.getTracks().forEach((t) => t.stop()); video.hidden = true;
          field.value = codes[0].rawValue; field.form.submit();
        } else { requestAnimationFrame(look); }
      };
      look();
    });
  });
}
