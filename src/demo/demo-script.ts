// The browser script of /demo, shipped as a string: same-origin fetch with the key from
// sessionStorage, hand-drawn SVG charts, DOM built with textContent (no HTML from data).
export const DEMO_SCRIPT = String.raw`(function(){'use strict';
var KEY='nhis-api-key',NS='http://www.w3.org/2000/svg',COL={ZERO_TO_ONE_RISK_FACTOR:'#2e8540',MULTIPLE_RISK_FACTORS:'#d98200',CHD_RISK_EQUIVALENT:'#c0392b'};
var SHORT={ZERO_TO_ONE_RISK_FACTOR:'0–1 factor',MULTIPLE_RISK_FACTORS:'Multiple',CHD_RISK_EQUIVALENT:'CHD equivalent'};
function $(id){return document.getElementById(id)}
function h(tag,attrs,kids,ns){var e=ns?document.createElementNS(NS,tag):document.createElement(tag);
for(var k in attrs||{}){if(k==='text')e.textContent=attrs[k];else e.setAttribute(k,attrs[k])}
(kids||[]).forEach(function(c){e.append(c)});return e}
function s(tag,attrs,kids){return h(tag,attrs,kids,1)}
function fmt(n){return Number(n).toLocaleString('en-US')}
var AGE={};Array.prototype.forEach.call($('s-age_group').options,function(o){AGE[o.value]=o.text});
function key(){try{return sessionStorage.getItem(KEY)||''}catch(e){return ''}}
function api(path,init){init=init||{};var hd=init.headers||{},k=key();if(k)hd['X-API-KEY']=k;init.headers=hd;
return fetch(path,init).then(function(res){return res.json().catch(function(){return null}).then(function(body){
if(res.ok)return body;var e=body&&body.error?body:{error:res.statusText||'Error',message:'HTTP '+res.status};
e.status=res.status;e.retry=res.headers.get('Retry-After');throw e})},function(){throw{error:'Network error',message:'The API could not be reached.'}})}
function clearErr(box){box.hidden=true;box.textContent=''}
function showErr(box,e){box.textContent='';box.hidden=false;
box.append(h('strong',{text:(e.status?e.status+' ':'')+(e.error||'Error')}),' — '+(e.message||String(e)));
if(e.status===401)box.append(h('div',{text:key()?'The key in use was refused; enter a valid one above.':'Enter your API key at the top of the page.'}));
if(e.retry)box.append(h('div',{text:'Retry after '+e.retry+' s.'}));
if(e.details){var ul=h('ul');for(var f in e.details)ul.append(h('li',{},[h('code',{text:f}),': '+e.details[f]]));box.append(ul)}}
function busy(btn,p){if(btn)btn.disabled=true;return p.finally(function(){if(btn)btn.disabled=false})}
/* key */
function showKey(){$('key-state').textContent=key()?'A key is set for this tab (sessionStorage only; sent as a header, never in a URL).':'No key yet: data calls will answer 401.'}
$('key-form').addEventListener('submit',function(ev){ev.preventDefault();var v=$('key').value.trim();if(!v)return;
try{sessionStorage.setItem(KEY,v)}catch(e){}$('key').value='';showKey();loadStats();loadRecords()});
$('key-clear').addEventListener('click',function(){try{sessionStorage.removeItem(KEY)}catch(e){}showKey()});
/* simulate */
var form=$('sim-form');
form.addEventListener('submit',function(ev){ev.preventDefault();var body={};
Array.prototype.forEach.call(form.elements,function(el){if(!el.name)return;el.removeAttribute('aria-invalid');
if(el.name==='smoking_status')body[el.name]=el.value;else if(el.value!=='')body[el.name]=Number(el.value)});
form.querySelectorAll('.ferr').forEach(function(x){x.textContent=''});clearErr($('sim-err'));
busy($('sim-go'),api('/simulate',{method:'POST',headers:{'Content-Type':'application/json'},body:JSON.stringify(body)}).then(showSim,function(e){
$('sim-out').hidden=true;showErr($('sim-err'),e);for(var f in e.details||{}){var el=form.elements[f],m=form.querySelector('.ferr[data-for="'+f+'"]');
if(el)el.setAttribute('aria-invalid','true');if(m)m.textContent=e.details[f]}}))});
function showSim(r){var g=r.result.risk_group,fl=r.result.flags;$('sim-group').textContent=g;$('sim-group').className='badge g-'+g;
$('sim-count').textContent=r.result.risk_factor_count;
$('sim-who').textContent=r.input.age_display+' · '+r.input.gender_display+' · BMI '+r.input.bmi.toFixed(1);
$('sim-flags').replaceChildren.apply($('sim-flags'),Object.keys(fl).map(function(k){return h('li',{'class':fl[k]?'on':'',text:(fl[k]?'✔ ':'')+k})}));
$('sim-expl').replaceChildren.apply($('sim-expl'),r.result.explanations.map(function(t){return h('li',{text:t})}));
$('sim-note').textContent=r.result.rule_version+' · '+r.disclaimer;$('sim-out').hidden=false}
/* batch: a pasted CSV, its header the simulate form's field names, scored through /simulate/batch */
var FIELDS=Array.prototype.map.call(form.querySelectorAll('[name]'),function(el){return el.name});
var EX=['12,1,165,80,152,96,131,255,210,38,current','8,2,160,55,118,76,92,190,90,60,never','10,1,120,70,130,85,100,200,150,45,former','14,2,158,62,120,125,99,210,140,50,never'];
$('batch-example').addEventListener('click',function(){$('batch-csv').value=[FIELDS.join(',')].concat(EX).join('\n')});
/* Rows with their line numbers: quoted cells (doubled quotes inside), CRLF, commas or, when the header has no comma, tabs. */
function csv(t){var sep=/^[^\n,]*\t/.test(t)?'\t':',',rows=[],row=[],cell='',q=false,line=1,at=1;
for(var i=0;i<t.length;i++){var ch=t[i];
if(q){if(ch!=='"'){cell+=ch;if(ch==='\n')line++}else if(t[i+1]==='"'){cell+='"';i++}else q=false}
else if(ch==='"')q=true;else if(ch===sep){row.push(cell);cell=''}
else if(ch==='\n'||ch==='\r'){if(ch==='\r'&&t[i+1]==='\n')i++;row.push(cell);rows.push({line:at,cells:row});row=[];cell='';at=++line}
else cell+=ch}
row.push(cell);rows.push({line:at,cells:row});
return rows.filter(function(r){return r.cells.join('').trim()!==''})}
$('batch-form').addEventListener('submit',function(ev){ev.preventDefault();clearErr($('batch-err'));$('batch-out').hidden=true;
var rows=csv($('batch-csv').value),head=(rows.shift()||{cells:[]}).cells.map(function(c){return c.trim()}),
miss=FIELDS.filter(function(f){return head.indexOf(f)<0});
if(miss.length)return showErr($('batch-err'),{error:'CSV',message:'The header row lacks: '+miss.join(', ')});
if(!rows.length)return showErr($('batch-err'),{error:'CSV',message:'No persons: add one row per person under the header.'});
/* Integers go as numbers, anything else as typed: the API names what is wrong with it. */
var persons=rows.map(function(r){var p={};head.forEach(function(f,i){var v=(r.cells[i]||'').trim();
if(v!=='')p[f]=f!=='smoking_status'&&/^-?\d+(\.\d+)?$/.test(v)?Number(v):v});return p});
busy($('batch-go'),api('/simulate/batch',{method:'POST',headers:{'Content-Type':'application/json'},body:JSON.stringify({persons:persons})}).then(function(r){
showBatch(r,rows)},function(e){showErr($('batch-err'),e)}))});
function showBatch(r,rows){var s=r.summary,tb=$('batch-table').tBodies[0];
$('batch-sum').textContent=fmt(s.total)+' persons: '+fmt(s.scored)+' scored, '+fmt(s.rejected)+' refused';
tb.replaceChildren.apply(tb,r.results.map(function(x){var line=h('td',{text:rows[x.index].line});
if(!x.ok){var e=x.error,ul=h('ul');for(var f in e.details||{})ul.append(h('li',{},[h('code',{text:f}),': '+e.details[f]]));
return h('tr',{'class':'bad','data-index':x.index},[line,h('td',{colspan:5},[h('strong',{text:x.status+' '+e.error}),' — '+e.message,ul])])}
var g=x.result.risk_group;return h('tr',{'data-index':x.index},[line,h('td',{text:x.input.age_display}),h('td',{text:x.input.gender_display}),
h('td',{'class':'hide-s',text:x.input.bmi.toFixed(1)}),h('td',{text:x.result.risk_factor_count}),h('td',{},[h('span',{'class':'badge g-'+g,title:g,text:SHORT[g]})])])}));
$('batch-out').hidden=false}
/* stats */
var last={};
function loadStats(){clearErr($('stats-err'));return busy($('stats-go'),Promise.all([api('/stats/risk'),api('/stats/age')]).then(function(v){
last={risk:v[0],age:v[1]};draw()},function(e){showErr($('stats-err'),e)}))}
function draw(){if(last.risk)donut(last.risk);if(last.age)bars(last.age)}
function donut(d){var box=$('risk-chart'),R=15.9155,off=25,svg=s('svg',{viewBox:'0 0 42 42',width:'200',height:'200',role:'img','aria-label':'Risk groups'});
svg.append(s('circle',{cx:21,cy:21,r:R,fill:'none',stroke:'#8884','stroke-width':6}));var leg=[];
Object.keys(d.risk_distribution).forEach(function(g){var x=d.risk_distribution[g],p=d.valid_records?x.count/d.valid_records*100:0;
svg.append(s('circle',{'class':'arc','data-group':g,'data-count':x.count,cx:21,cy:21,r:R,fill:'none',stroke:COL[g],'stroke-width':6,
'stroke-dasharray':p+' '+(100-p),'stroke-dashoffset':off},[s('title',{text:g+': '+fmt(x.count)})]));off-=p;
var sw=h('i');sw.style.background=COL[g];leg.push(h('li',{'data-group':g},[sw,SHORT[g]+' — '+fmt(x.count)+' ('+x.percentage+'%)']))});
svg.append(s('text',{x:21,y:22,'text-anchor':'middle','font-size':4,text:fmt(d.valid_records)}),s('text',{x:21,y:27,'text-anchor':'middle','font-size':2.6,text:'valid records'}));
box.replaceChildren(svg);$('risk-legend').replaceChildren.apply($('risk-legend'),leg)}
function bars(d){var box=$('age-chart'),W=Math.max(260,box.clientWidth||600),L=74,RW=70,RH=22,rows=d.age_distribution,
max=Math.max.apply(null,rows.map(function(a){return a.count}).concat([1])),bw=W-L-RW,svg=s('svg',{width:W,height:rows.length*RH+4,'font-size':12,role:'img','aria-label':'Records per age group'});
rows.forEach(function(a,i){var y=i*RH+2,w=a.count/max*bw,hw=a.high_risk_count/max*bw;
svg.append(s('g',{'class':'age','data-age':a.age_group,'data-count':a.count},[
s('title',{text:a.age_display+': '+fmt(a.count)+' records ('+a.percentage+'%), mean '+a.avg_risk_factor_count+' factors, '+fmt(a.high_risk_count)+' CHD_RISK_EQUIVALENT'}),
s('text',{x:0,y:y+15,text:a.age_display}),s('rect',{'class':'bar',x:L,y:y+3,width:Math.max(w,1),height:RH-6,rx:2,fill:'#4f7fcf'}),
s('rect',{x:L,y:y+3,width:hw,height:RH-6,rx:2,fill:COL.CHD_RISK_EQUIVALENT}),s('text',{x:L+w+4,y:y+15,text:fmt(a.count)})]))});
box.replaceChildren(svg)}
var rt;window.addEventListener('resize',function(){clearTimeout(rt);rt=setTimeout(draw,150)});
$('stats-go').addEventListener('click',loadStats);
/* records */
var rf=$('rec-form'),page=1,pages=0;
function loadRecords(){clearErr($('rec-err'));var q=new URLSearchParams();q.set('page',page);
Array.prototype.forEach.call(rf.elements,function(el){if(el.name&&el.value)q.set(el.name,el.value)});
return api('/records?'+q).then(function(r){pages=r.pagination.total_pages;$('rec-page').value=r.pagination.page;
$('rec-pages').textContent='of '+fmt(pages);$('rec-total').textContent=fmt(r.pagination.total_items)+' records';
$('rec-prev').disabled=page<=1;$('rec-next').disabled=page>=pages;
var tb=$('rec-table').tBodies[0];tb.replaceChildren.apply(tb,r.data.map(function(x){
return h('tr',{'data-id':x.id,tabindex:0},[h('td',{text:x.id}),h('td',{text:AGE[x.age_group]||x.age_group}),h('td',{text:x.gender===1?'남성':'여성'}),
h('td',{'class':'hide-s',text:x.bmi.toFixed(1)}),h('td',{text:x.risk_factor_count}),h('td',{},[h('span',{'class':'badge g-'+x.risk_group,title:x.risk_group,text:SHORT[x.risk_group]})])])}));
if(!r.data.length)tb.append(h('tr',{},[h('td',{colspan:6,'class':'muted',text:'No records on this page.'})]))},function(e){showErr($('rec-err'),e)})}
function go(p){page=Math.max(1,Math.min(p,pages||1));loadRecords()}
rf.addEventListener('change',function(){page=1;loadRecords()});rf.addEventListener('submit',function(ev){ev.preventDefault()});
$('rec-prev').addEventListener('click',function(){go(page-1)});$('rec-next').addEventListener('click',function(){go(page+1)});
$('rec-page').addEventListener('change',function(){go(parseInt($('rec-page').value,10)||1)});
function openRow(tr){var id=tr&&tr.getAttribute('data-id');if(!id)return;var d=$('detail');d.hidden=false;$('detail-title').textContent='Record #'+id+' · GET /records/'+id;
clearErr($('detail-err'));$('detail-kv').replaceChildren();api('/records/'+encodeURIComponent(id)).then(function(r){var kv=[];
Object.keys(r).forEach(function(k){var v=r[k];if(k==='flags')v=Object.keys(v).filter(function(f){return v[f]}).join(', ')||'none';kv.push(h('dt',{text:k}),h('dd',{text:String(v)}))});
$('detail-kv').replaceChildren.apply($('detail-kv'),kv);d.scrollIntoView({block:'nearest'})},function(e){showErr($('detail-err'),e)})}
$('rec-table').addEventListener('click',function(ev){openRow(ev.target.closest('tr'))});
$('rec-table').addEventListener('keydown',function(ev){if(ev.key==='Enter')openRow(ev.target.closest('tr'))});
$('detail-close').addEventListener('click',function(){$('detail').hidden=true});
showKey();if(key()){loadStats();loadRecords()}})();`;
