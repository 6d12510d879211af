// The 打印 button: the browser's own print dialog, with static/css/print.css for paper.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
