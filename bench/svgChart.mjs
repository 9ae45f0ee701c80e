// A dependency-free grouped bar chart as SVG, for benchmark results committed beside their JSON.
export function barChartSvg({ title, unit, categories, series, width = 900, height = 420 }) {
  const margin = { top: 50, right: 20, bottom: 110, left: 70 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const max = Math.max(1, ...series.flatMap((s) => s.values.filter((v) => Number.isFinite(v)))) * 1.1;
  const groupW = plotW / categories.length;
  const barW = (groupW * 0.8) / series.length;
  const colors = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728'];
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${esc(title)}</text>`];
  for (let i = 0; i <= 5; i++) {
    const v = (max * i) / 5;
    const y = margin.top + plotH - (plotH * i) / 5;
    parts.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${y}" y2="${y}" stroke="#ddd"/>`,
      `<text x="${margin.left - 6}" y="${y + 4}" text-anchor="end">${v.toFixed(v < 10 ? 1 : 0)}</text>`);
  }
  parts.push(`<text transform="translate(16 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${esc(unit)}</text>`);
  categories.forEach((c, ci) => {
    series.forEach((s, si) => {
      const v = s.values[ci];
      if (!Number.isFinite(v)) return;
      const h = (plotH * v) / max;
      const x = margin.left + ci * groupW + groupW * 0.1 + si * barW;
      parts.push(`<rect x="${x}" y="${margin.top + plotH - h}" width="${barW - 1}" height="${h}" fill="${colors[si % colors.length]}"/>`);
    });
    const lx = margin.left + ci * groupW + groupW / 2;
    parts.push(`<text transform="translate(${lx} ${margin.top + plotH + 10}) rotate(40)" text-anchor="start">${esc(c)}</text>`);
  });
  series.forEach((s, si) => {
    const x = margin.left + si * 220;
    parts.push(`<rect x="${x}" y="${height - 22}" width="12" height="12" fill="${colors[si % colors.length]}"/>`, `<text x="${x + 16}" y="${height - 12}">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
