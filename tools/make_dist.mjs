#!/usr/bin/env node
// Static builds of the page.
//   node tools/make_dist.mjs --stamp SITE    writes the build version and the service worker's precache
//                                             list into SITE (scripts/assemble_site.sh runs it on build/site)
//   node tools/make_dist.mjs SITE OUT        makes OUT (dist/) from an assembled SITE: content-hashed names,
//                                             a CSP meta tag, _headers for static hosts, .gz siblings
// In OUT every file except index.html and sw.js carries a hash of its content in its name. models/ and
// codecs/ keep their file names (the workers derive them) inside a directory named after a hash of the
// directory's content: models.<hash>/. References are rewritten where they are string literals:
// './main.js', "xraylens.wasm", `models/${...}`.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PY = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const UNHASHED = new Set(['index.html', 'sw.js']);
const NOT_PRECACHED = new Set(['index.html', 'sw.js', '_headers']); // index.html is cached as './'
const TEXT = /\.(html|js|mjs|css)$/;
const GZIP = /\.(wasm|js|mjs|ort|json|css|html)$/;
const IMMUTABLE = 'public, max-age=31536000, immutable';

const sha256 = (data) => crypto.createHash('sha256').update(data).digest('hex');
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Every file under dir, as sorted relative POSIX paths; .gz siblings are left out.
export function listFiles(dir, sub = '') {
  const out = [];
  for (const e of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
    const rel = sub ? `${sub}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, rel));
    else if (e.isFile() && !e.name.endsWith('.gz')) out.push(rel);
  }
  return out.sort();
}

// The headers serve.py sends (one source of truth), as { headers, csp }.
export function serverHeaders() {
  const code = 'import json, serve; print(json.dumps({"headers": serve.HEADERS, "csp": serve.CSP}))';
  return JSON.parse(execFileSync(PY, ['-c', code], { cwd: ROOT, encoding: 'utf8' }));
}

// The sum of gzip -9 sizes of every file in dir (the .gz siblings themselves are not counted).
export function gzipTotal(dir) {
  return listFiles(dir).reduce((sum, f) => sum + zlib.gzipSync(fs.readFileSync(path.join(dir, f)), { level: 9 }).length, 0);
}

const VERSION_META = /[ \t]*<meta name="xraylens-version"[^>]*>\n?/g;
const CSP_META = /[ \t]*<meta http-equiv="Content-Security-Policy"[^>]*>\n?/g;
const SW_BUILD = /\/\* build \*\/[\s\S]*?\/\* end build \*\//;

// Inserts meta tags right after <meta charset>, before any script, replacing earlier stamps.
function withMeta(html, tags) {
  const clean = html.replace(VERSION_META, '').replace(CSP_META, '');
  const m = clean.match(/<meta charset="[^"]*">\n?/i);
  if (!m) throw new Error('index.html has no <meta charset>');
  const at = m.index + m[0].length;
  return clean.slice(0, at) + tags.map((t) => `  ${t}\n`).join('') + clean.slice(at);
}

// Writes the build version into index.html (<meta name="xraylens-version">) and the version and
// precache list into sw.js. The version is a hash of the precached files' names and contents.
export function stampSite(dir, { extraMeta = [] } = {}) {
  const indexFile = path.join(dir, 'index.html');
  const index = withMeta(fs.readFileSync(indexFile, 'utf8'), extraMeta);
  const files = listFiles(dir).filter((f) => !NOT_PRECACHED.has(f));
  const lines = [`./\t${sha256(index)}`, ...files.map((f) => `${f}\t${sha256(fs.readFileSync(path.join(dir, f)))}`)];
  const version = sha256(lines.join('\n')).slice(0, 12);
  fs.writeFileSync(indexFile, withMeta(index, [`<meta name="xraylens-version" content="${version}">`, ...extraMeta]));
  const swFile = path.join(dir, 'sw.js');
  if (fs.existsSync(swFile)) {
    const sw = fs.readFileSync(swFile, 'utf8');
    if (!SW_BUILD.test(sw)) throw new Error('sw.js has no /* build */ … /* end build */ marker');
    const build = JSON.stringify({ version, files: ['./', ...files] });
    fs.writeFileSync(swFile, sw.replace(SW_BUILD, `/* build */ ${build} /* end build */`));
  }
  return version;
}

// Rewrites string-literal references to top-level files and directories; returns the names referenced.
function rewrite(text, fileMap, dirMap) {
  const used = new Set();
  for (const [from, to] of fileMap) {
    text = text.replace(new RegExp(`(["'\`])(\\./)?${escapeRe(from)}(?=["'\`])`, 'g'), (_, q, dot) => {
      used.add(from);
      return `${q}${dot || ''}${to}`;
    });
  }
  for (const [from, to] of dirMap) {
    text = text.replace(new RegExp(`(["'\`])(\\./)?${escapeRe(from)}/`, 'g'), (_, q, dot) => {
      used.add(from);
      return `${q}${dot || ''}${to}/`;
    });
  }
  return { text, used };
}

const hashedName = (name, hash) => {
  const ext = path.extname(name);
  return `${name.slice(0, name.length - ext.length)}.${hash}${ext}`;
};

export function makeDist(siteDir, outDir) {
  const files = listFiles(siteDir);
  const top = files.filter((f) => !f.includes('/') && !UNHASHED.has(f) && f !== '_headers');
  const dirs = [...new Set(files.filter((f) => f.includes('/')).map((f) => f.split('/')[0]))];
  for (const f of ['index.html', 'sw.js']) if (!files.includes(f)) throw new Error(`${siteDir}/${f} not found`);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });

  // Directories: named after a hash of their files' names and contents, copied as they are.
  const dirMap = new Map();
  for (const d of dirs) {
    const inside = files.filter((f) => f.startsWith(`${d}/`));
    const hash = sha256(inside.map((f) => `${f}\t${sha256(fs.readFileSync(path.join(siteDir, f)))}`).join('\n')).slice(0, 10);
    dirMap.set(d, `${d}.${hash}`);
    for (const f of inside) {
      const to = path.join(outDir, dirMap.get(d), f.slice(d.length + 1));
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.copyFileSync(path.join(siteDir, f), to);
    }
  }

  // Top-level files: a file is hashed once every file it references has its hashed name.
  const fileMap = new Map();
  const content = new Map(top.map((f) => [f, fs.readFileSync(path.join(siteDir, f))]));
  const refs = (text) => rewrite(text, new Map(top.map((f) => [f, f])), new Map()).used;
  const pending = new Set(top);
  while (pending.size) {
    const ready = [...pending].filter((f) => !TEXT.test(f) || [...refs(content.get(f).toString('utf8'))].every((r) => r === f || fileMap.has(r)));
    if (!ready.length) throw new Error(`circular references among ${[...pending].join(', ')}`);
    for (const f of ready) {
      if (TEXT.test(f)) content.set(f, Buffer.from(rewrite(content.get(f).toString('utf8'), fileMap, dirMap).text));
      fileMap.set(f, hashedName(f, sha256(content.get(f)).slice(0, 10)));
      fs.writeFileSync(path.join(outDir, fileMap.get(f)), content.get(f));
      pending.delete(f);
    }
  }

  // The page, the service worker and their stamps; the CSP meta for hosts that cannot send headers
  // (frame-ancestors is ignored in a meta tag, so it is left out there).
  const { headers, csp } = serverHeaders();
  const metaCsp = csp.split('; ').filter((d) => !d.startsWith('frame-ancestors')).join('; ');
  fs.writeFileSync(path.join(outDir, 'index.html'), rewrite(fs.readFileSync(path.join(siteDir, 'index.html'), 'utf8'), fileMap, dirMap).text);
  fs.copyFileSync(path.join(siteDir, 'sw.js'), path.join(outDir, 'sw.js'));
  const version = stampSite(outDir, { extraMeta: [`<meta http-equiv="Content-Security-Policy" content="${metaCsp}">`] });

  // _headers (Netlify, Cloudflare Pages): serve.py's headers everywhere, no-cache for the unhashed
  // files, immutable for the hashed ones (Cache-Control is never given twice for one path).
  const { 'Cache-Control': cacheControl, ...common } = headers;
  const block = (p, h) => `${p}\n${Object.entries(h).map(([k, v]) => `  ${k}: ${v}`).join('\n')}\n`;
  const rules = [block('/*', common), ...['/', '/index.html', '/sw.js'].map((p) => block(p, { 'Cache-Control': cacheControl }))];
  for (const f of fileMap.values()) rules.push(block(`/${f}`, { 'Cache-Control': IMMUTABLE }));
  for (const d of dirMap.values()) rules.push(block(`/${d}/*`, { 'Cache-Control': IMMUTABLE }));
  fs.writeFileSync(path.join(outDir, '_headers'), rules.join(''));

  // .gz siblings for serve.py (and hosts that serve precompressed files), where gzip pays.
  let gzipBytes = 0;
  for (const f of listFiles(outDir)) {
    const raw = fs.readFileSync(path.join(outDir, f));
    const gz = zlib.gzipSync(raw, { level: 9 });
    gzipBytes += gz.length;
    if (GZIP.test(f) && raw.length > 1024 && gz.length < raw.length * 0.9) fs.writeFileSync(path.join(outDir, `${f}.gz`), gz);
  }
  return { version, gzipBytes, files: listFiles(outDir) };
}

function main(argv) {
  if (argv[0] === '--stamp' && argv.length === 2) {
    console.log(`stamped ${argv[1]}: version ${stampSite(argv[1])}`);
  } else if (argv.length === 2) {
    const { version, gzipBytes, files } = makeDist(argv[0], argv[1]);
    console.log(`dist: ${argv[1]} (${files.length} files, version ${version}, ${(gzipBytes / 1e6).toFixed(2)} MB gzipped)`);
  } else {
    console.error('usage: make_dist.mjs --stamp SITE | make_dist.mjs SITE OUT');
    process.exit(2);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) main(process.argv.slice(2));
