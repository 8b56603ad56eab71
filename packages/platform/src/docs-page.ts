/**
 * A self-contained API reference page: it reads `/openapi.json` from the same service and
 * lists every operation with its parameters and schemas. No script or font from elsewhere.
 */
export function docsPage(title: string, specPath = '/openapi.json'): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fafafa}
header{background:#8b1a1a;color:#fff;padding:12px 20px}
main{max-width:980px;margin:0 auto;padding:16px}
section{background:#fff;border:1px solid #ddd;border-radius:6px;margin:10px 0;padding:10px 14px}
.m{display:inline-block;min-width:56px;font-weight:700;font-family:monospace}
.get{color:#0a5c2e}.post{color:#0b4a8b}.put{color:#7a4b00}.delete{color:#8b1a1a}
code,pre{font-family:ui-monospace,monospace;font-size:13px}
pre{background:#f3f3f3;padding:8px;overflow:auto;max-height:320px}
details summary{cursor:pointer}
h2{font-size:17px;margin:18px 0 4px}
</style>
</head>
<body>
<header><h1 style="margin:0;font-size:20px">${escapeHtml(title)}</h1>
<div>API 参考 · API reference · <a style="color:#fff" href="${specPath}">openapi.json</a></div></header>
<main id="root">加载中… Loading…</main>
<script>
fetch(${JSON.stringify(specPath)}).then(function(r){return r.json()}).then(function(spec){
  var root=document.getElementById('root');root.textContent='';
  var byTag={};
  Object.keys(spec.paths||{}).forEach(function(path){
    var item=spec.paths[path];
    Object.keys(item).forEach(function(method){
      var op=item[method];var tag=(op.tags&&op.tags[0])||'other';
      (byTag[tag]=byTag[tag]||[]).push({path:path,method:method,op:op});
    });
  });
  Object.keys(byTag).sort().forEach(function(tag){
    var h=document.createElement('h2');h.textContent=tag;root.appendChild(h);
    byTag[tag].forEach(function(e){
      var s=document.createElement('section');
      var head=document.createElement('div');
      var m=document.createElement('span');m.className='m '+e.method;m.textContent=e.method.toUpperCase();
      var p=document.createElement('code');p.textContent=' '+e.path;
      head.appendChild(m);head.appendChild(p);s.appendChild(head);
      if(e.op.summary){var d=document.createElement('div');d.textContent=e.op.summary;s.appendChild(d);}
      var det=document.createElement('details');var sum=document.createElement('summary');
      sum.textContent='参数与模式 · parameters and schemas';det.appendChild(sum);
      var pre=document.createElement('pre');
      pre.textContent=JSON.stringify({parameters:e.op.parameters,requestBody:e.op.requestBody,responses:e.op.responses},null,2);
      det.appendChild(pre);s.appendChild(det);root.appendChild(s);
    });
  });
}).catch(function(err){document.getElementById('root').textContent='无法加载 / could not load: '+err;});
</script>
</body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
