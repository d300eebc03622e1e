import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { escapeHtml } from '../core/mail/templates.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../security/passwords.js';

/**
 * The pages a link from an email opens: set a password (activation) or choose a new one (reset).
 * Server-rendered, with one small script that checks the password's strength as it is typed and
 * posts it to the API; the token is read from the address bar by the script, never written into
 * the page. Strict CSP (a nonce per answer), no referrer, never cached.
 */
export interface LinkPage {
  purpose: 'activation' | 'reset';
  portalName: string;
  email: string;
}

const STYLE = `
body{font-family:Arial,Helvetica,sans-serif;background:#f4f5f7;color:#222;margin:0}
main{max-width:26rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.15)}
h1{font-size:1.4rem;margin:0 0 1rem}label{display:block;margin:1rem 0 .25rem;font-weight:bold}
input{width:100%;box-sizing:border-box;padding:.6rem;font-size:1rem;border:1px solid #bbb;border-radius:4px}
button{margin-top:1.25rem;width:100%;padding:.7rem;font-size:1rem;background:#1f5fbf;color:#fff;border:0;border-radius:4px;cursor:pointer}
button[disabled]{background:#8aa7d6;cursor:default}
#strength{height:.4rem;background:#e3e3e3;border-radius:2px;margin-top:.4rem}#bar{height:100%;width:0;border-radius:2px}
.hint{font-size:.85rem;color:#555;margin:.35rem 0 0}.error{color:#b00020}.ok{color:#1b7a33}`;

function shell(reply: FastifyReply, title: string, body: string, script?: string): string {
  const nonce = randomBytes(16).toString('base64');
  reply
    .header('content-type', 'text/html; charset=utf-8')
    .header(
      'content-security-policy',
      `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'`,
    )
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style nonce="${nonce}">${STYLE}</style></head>
<body><main>
${body}
</main>${script ? `<script nonce="${nonce}">${script}</script>` : ''}</body></html>
`;
}

export function invalidLinkPage(reply: FastifyReply, message: string): string {
  return shell(
    reply,
    'Link not valid',
    `<h1>This link cannot be used</h1>\n<p class="error">${escapeHtml(message)}</p>`,
  );
}

export function linkPage(reply: FastifyReply, page: LinkPage): string {
  const activation = page.purpose === 'activation';
  const title = activation
    ? `Activate your ${page.portalName} account`
    : `Choose a new ${page.portalName} password`;
  const endpoint = activation ? '/api/v1/portal/activate' : '/api/v1/portal/password-reset/confirm';
  const done = activation
    ? 'Your account is active. You can now sign in to the portal with your email or username and this password.'
    : 'Your new password is set. You can now sign in with it.';
  const body = `<h1>${escapeHtml(title)}</h1>
<p>Account: <strong>${escapeHtml(page.email)}</strong></p>
<form id="f" novalidate>
<label for="pw">Password</label>
<input id="pw" type="password" autocomplete="new-password" minlength="${PASSWORD_MIN_LENGTH}" maxlength="${PASSWORD_MAX_LENGTH}" required>
<div id="strength"><div id="bar"></div></div>
<p class="hint" id="hint">At least ${PASSWORD_MIN_LENGTH} characters. Longer is stronger; a few unrelated words make a good password.</p>
<label for="pw2">Password again</label>
<input id="pw2" type="password" autocomplete="new-password" required>
<button id="go" type="submit" disabled>${activation ? 'Activate my account' : 'Set my new password'}</button>
<p id="msg" role="status"></p>
</form>`;
  const script = `
(function(){
var token=new URLSearchParams(location.search).get('token')||'';
history.replaceState(null,'',location.pathname);
var pw=document.getElementById('pw'),pw2=document.getElementById('pw2'),go=document.getElementById('go'),
bar=document.getElementById('bar'),hint=document.getElementById('hint'),msg=document.getElementById('msg'),f=document.getElementById('f');
function problem(p){
if(p.length<${PASSWORD_MIN_LENGTH})return 'Use at least ${PASSWORD_MIN_LENGTH} characters.';
if(p.length>${PASSWORD_MAX_LENGTH})return 'Use at most ${PASSWORD_MAX_LENGTH} characters.';
if(new Set(p).size<5)return 'Use more different characters.';
return null;}
function score(p){var s=Math.min(p.length/20,1)*60;var k=0;[/[a-z]/,/[A-Z]/,/[0-9]/,/[^A-Za-z0-9]/].forEach(function(r){if(r.test(p))k++;});return Math.min(100,s+k*10);}
function update(){var p=pw.value,pr=problem(p),sc=pr?Math.min(score(p),30):score(p);
bar.style.width=sc+'%';bar.style.background=sc<40?'#c62828':sc<70?'#f9a825':'#2e7d32';
hint.textContent=pr||(sc<70?'Acceptable. Longer would be stronger.':'Strong password.');
hint.className=pr?'hint error':'hint';
go.disabled=!!pr||p!==pw2.value;
if(!pr&&pw2.value&&p!==pw2.value){msg.textContent='The two passwords differ.';msg.className='error';}else if(msg.className==='error'){msg.textContent='';msg.className='';}}
pw.addEventListener('input',update);pw2.addEventListener('input',update);
f.addEventListener('submit',function(e){e.preventDefault();if(go.disabled)return;go.disabled=true;
fetch(${JSON.stringify(endpoint)},{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify({token:token,password:pw.value})})
.then(function(r){return r.json().then(function(b){return {ok:r.ok,b:b};});})
.then(function(x){if(x.ok){f.innerHTML='';var p=document.createElement('p');p.className='ok';p.textContent=${JSON.stringify(done)};f.appendChild(p);}
else{msg.textContent=x.b.message||'Something went wrong.';msg.className='error';go.disabled=false;}})
.catch(function(){msg.textContent='The server could not be reached. Try again.';msg.className='error';go.disabled=false;});});
})();`;
  return shell(reply, title, body, script);
}
