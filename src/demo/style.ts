// The stylesheet shared by /demo and /docs: system fonts only, light and dark, phone width first.
export const STYLE = `
:root{--fg:#1c2430;--mu:#5b6675;--bg:#f5f7fa;--card:#fff;--bd:#d8dee6;--ac:#1f5fbf;--g0:#2e8540;--g1:#d98200;--g2:#c0392b;--er:#b3261e;--erb:#fdecea;color-scheme:light dark}
@media(prefers-color-scheme:dark){:root{--fg:#e6e9ee;--mu:#9aa4b2;--bg:#12161c;--card:#1b2129;--bd:#313a46;--ac:#7aa7ff;--er:#ffb4ab;--erb:#3b1715}}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans KR","Apple SD Gothic Neo",sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:980px;margin:0 auto;padding:12px}
header{padding:8px 0}
h1{font-size:1.4em;margin:0 0 4px}h2{font-size:1.15em;margin:0 0 10px}h3{font-size:1em;margin:14px 0 6px}
a{color:var(--ac)}
section,.card{background:var(--card);border:1px solid var(--bd);border-radius:10px;padding:14px;margin:12px 0;min-width:0}
.muted{color:var(--mu);font-size:.9em}
label{display:block;font-size:.85em;color:var(--mu)}
input,select,button,textarea{font:inherit;color:inherit;background:var(--card);border:1px solid var(--bd);border-radius:6px;padding:6px 8px;max-width:100%}
label input,label select,label textarea{display:block;width:100%;margin-top:2px;color:var(--fg)}
button{background:var(--ac);border-color:var(--ac);color:#fff;cursor:pointer;padding:7px 14px}
button.ghost{background:none;color:var(--ac)}
button:disabled{opacity:.5;cursor:default}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(140px,1fr));gap:10px}
.row{display:flex;flex-wrap:wrap;gap:8px;align-items:end}
.row>label{flex:1 1 200px}
.err{background:var(--erb);color:var(--er);border:1px solid var(--er);border-radius:8px;padding:8px 10px;margin:10px 0}
.err ul{margin:4px 0 0;padding-left:20px}
.ferr{color:var(--er);font-size:.8em}
[aria-invalid=true]{border-color:var(--er)}
.badge{display:inline-block;border-radius:999px;padding:2px 10px;color:#fff;font-weight:600;font-size:.85em;background:var(--mu)}
.g-ZERO_TO_ONE_RISK_FACTOR{background:var(--g0)}.g-MULTIPLE_RISK_FACTORS{background:var(--g1)}.g-CHD_RISK_EQUIVALENT{background:var(--g2)}
.chips{display:flex;flex-wrap:wrap;gap:6px;padding:0;list-style:none}
.chips li{border:1px solid var(--bd);border-radius:999px;padding:2px 10px;font-size:.85em;color:var(--mu)}
.chips li.on{border-color:var(--g2);color:var(--g2);font-weight:600}
.charts{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,2fr);gap:16px}
@media(max-width:700px){.charts{grid-template-columns:minmax(0,1fr)}}
svg{display:block;max-width:100%}svg text{fill:var(--fg)}
.legend{list-style:none;padding:0;margin:8px 0 0;font-size:.9em}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
.scroll{overflow-x:auto}.scroll+.scroll{margin-top:12px}
table{border-collapse:collapse;width:100%;font-size:.9em}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--bd);vertical-align:top}
tbody tr[data-id]{cursor:pointer}tbody tr[data-id]:hover,tbody tr[data-id]:focus{background:var(--bg);outline:none}
.pager{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin-top:10px}
.pager label{display:flex;gap:6px;align-items:center}.pager input{width:90px}
dl.kv{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:4px 14px;margin:0}dl.kv dt{color:var(--mu)}dl.kv dd{margin:0;overflow-wrap:anywhere}
pre,code,textarea{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
textarea{resize:vertical}tr.bad td{color:var(--er)}tr.bad ul{margin:4px 0 0;padding-left:20px}
pre{background:var(--bg);border:1px solid var(--bd);border-radius:6px;padding:8px;overflow-x:auto;white-space:pre-wrap;word-break:break-word}
.m{display:inline-block;min-width:48px;text-align:center;border-radius:4px;color:#fff;font-weight:700;font-size:.8em;padding:1px 6px;background:var(--g0)}.m.post{background:var(--ac)}
#rec-table td,.badge{white-space:nowrap}
@media(max-width:520px){.hide-s{display:none}main{padding:6px}section,.card{padding:10px}th,td{padding:6px 4px}}
`.trim();
