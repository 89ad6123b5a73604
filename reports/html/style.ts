import type { Safe } from './markup.ts';

/**
 * The page's only style, inline (the CSP allows inline styles and nothing else). Screen: wide tables scroll inside
 * their own focusable region, so a phone never scrolls the page sideways. Print (A4): nothing scrolls or clips:
 * tables take the page width with fixed layout, evidence wraps anywhere, domain names only after their dots (<wbr>
 * between labels that are each nowrap, so never at a hyphen), badges keep shape and word with an outline because
 * backgrounds are not printed.
 */
export const STYLE: Safe = { __html: `
:root{color-scheme:light;font:15px/1.45 system-ui,-apple-system,"Segoe UI","DejaVu Sans",sans-serif;color:#1b1f24}
body{margin:0 auto;max-width:72rem;padding:1.5rem}
h1{font-size:1.6rem;margin:0 0 .5rem}h2{margin-top:2rem;border-bottom:2px solid #d0d7de;padding-bottom:.25rem}
h3{margin:1.5rem 0 .5rem}h4{margin:1rem 0 .35rem}
a{color:#0550ae}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.35rem .5rem;vertical-align:top;text-align:left}
th,td{overflow-wrap:break-word;box-sizing:border-box}
thead th,caption{background:#f6f8fa}caption{text-align:left;font-weight:600;padding:.35rem .5rem;border:1px solid #d0d7de;border-bottom:0}
td ul{margin:0;padding-left:1rem}td p{margin:.25rem 0 0}code,pre{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,"DejaVu Sans Mono",monospace}
pre{background:#f6f8fa;padding:.75rem;margin:.35rem 0;white-space:pre-wrap}
.evidence,dl.meta dd{overflow-wrap:anywhere}
.dn{overflow-wrap:normal;word-break:normal}.dl{white-space:nowrap}
dl.meta{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.2rem 1rem;margin:0}dl.meta dt{font-weight:600}dl.meta dd{margin:0}
.badge{display:inline-block;min-width:4.5rem;text-align:center;border-radius:.25rem;padding:0 .4rem;font-weight:700;font-size:.8rem;color:#fff;border:1px solid transparent}
.st-pass{background:#1a7f37}.st-warn{background:#9a6700}.st-fail{background:#cf222e}.st-error{background:#8250df}.st-skip{background:#6e7781}.st-waived{background:#0969da}
.fill-pass{fill:#1a7f37}.fill-warn{fill:#bf8700}.fill-fail{fill:#cf222e}.fill-error{fill:#8250df}.fill-skip{fill:#8c959f}.fill-waived{fill:#0969da}
.track{fill:#eaeef2}.mark{fill:#1b1f24}
svg.bar{display:block;width:100%;height:.9rem;margin-top:.2rem}
.num{text-align:right;font-variant-numeric:tabular-nums}
details{border:1px solid #d0d7de;border-radius:.35rem;margin:.35rem 0;padding:.25rem .6rem}
summary{cursor:pointer}details[open]>summary{margin-bottom:.4rem}
blockquote{margin:0 0 .3rem;padding-left:.6rem;border-left:3px solid #d0d7de;font-style:italic}
.banner{background:#fff8c5;border:1px solid #d4a72c;padding:.5rem;margin:.5rem 0}.muted,.none{color:#57606a}
.wide{overflow-x:auto}
table.matrix{table-layout:fixed;min-width:40rem}table.matrix thead th:first-child{width:34%}table.matrix td{padding:.25rem .2rem;text-align:center}
table.matrix .badge{min-width:0;padding:0 .2rem}
table.waivers th:nth-child(1){width:9%}table.waivers th:nth-child(2),table.waivers th:nth-child(3){width:16%}table.waivers th:nth-child(4){width:24%}
table.waivers th:nth-child(6){width:13%}table.waivers th:nth-child(7){width:9%}
table.promises{min-width:48rem}table.promises th:nth-child(1){width:15%}table.promises th:nth-child(2){width:18%}table.promises th:nth-child(3){width:27%}table.promises th:nth-child(4){width:18%}
table.expiry{min-width:46rem}table.expiry th:nth-child(1),table.expiry th:nth-child(3){width:22%}table.expiry th:nth-child(2){width:9%}table.expiry th:nth-child(4){width:14%}table.expiry th:nth-child(5){width:16%}table.changes,table.waivers{min-width:40rem}
table.changes th:nth-child(1){width:26%}table.changes th:nth-child(2){width:20%}table.changes th:nth-child(3),table.changes th:nth-child(4){width:7.5rem}
table.chart{max-width:40rem}table.chart td.bar-cell{width:60%}
ul.legend{list-style:none;padding:0;columns:2 22rem}
nav.toc ol{margin:.25rem 0}nav.toc ol.domains{columns:3 18rem}
@media (max-width:40rem){body{padding:1rem .75rem}dl.meta{grid-template-columns:minmax(0,1fr)}dl.meta dd{margin-bottom:.3rem}}
@page{size:A4;margin:14mm 12mm}
@media print{
:root{font-size:10pt}body{max-width:none;padding:0}code,pre{font-size:8.5pt}
a{color:inherit}
.wide{overflow:visible}
table,table.matrix,table.promises,table.expiry,table.changes,table.waivers{table-layout:fixed;min-width:0;width:100%}
tr,summary,svg.bar{break-inside:avoid}h2,h3,h4,summary{break-after:avoid}
pre{overflow:visible;background:none;border-left:2px solid #d0d7de;padding:.2rem .5rem}
.badge{color:#000;background:none;border:1px solid #000}
details{border-color:#8c959f}
ul.legend{columns:auto}
}
` };
