// Charts of the service statistics page, drawn with the vendored Chart.js from the page's JSON.
(function () {
  "use strict";
  const source = document.getElementById("service-chart-data");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const palette = ["#0d6efd", "#198754", "#dc3545", "#fd7e14", "#6f42c1", "#20c997", "#6c757d", "#ffc107"];
  const common = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
    scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
  };
  const draw = (id, config) => {
    const canvas = document.getElementById(id);
    if (canvas) new Chart(canvas, config);
  };
  const stacked = (block) => ({
    type: "bar",
    data: {
      labels: block.labels,
      datasets: block.series.map((s, i) => ({ label: s.label, data: s.data, backgroundColor: palette[i % palette.length], maxBarThickness: 48 })),
    },
    options: { ...common, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
  });
  draw("chart-category", stacked(data.category));
  draw("chart-product", stacked(data.product));
  draw("chart-steps", {
    type: "bar",
    data: { labels: data.steps.labels, datasets: [{ label: data.text.hours, data: data.steps.hours, backgroundColor: "#0d6efd", maxBarThickness: 24 }] },
    options: { ...common, indexAxis: "y", scales: { x: { beginAtZero: true } } },
  });
  draw("chart-satisfaction", {
    type: "line",
    data: { labels: data.satisfaction.labels, datasets: [{ label: data.text.satisfaction, data: data.satisfaction.avg, borderColor: "#ffc107", backgroundColor: "#ffc107" }] },
    options: { ...common, scales: { y: { min: 0, max: 5 } } },
  });
})();
