#!/usr/bin/env node
// Manifest localisation: every string of package.json a person reads (command titles, settings' descriptions,
// walkthrough text…) is a `%key%` placeholder that VS Code resolves through package.nls.json (English) or a
// package.nls.<locale>.json. `node scripts/l10n-manifest.mjs` turns any plain string of those fields into a
// placeholder with a stable, readable key (command.start.title, config.recorder.device.markdownDescription) and
// rewrites package.nls.json in manifest order; run it after adding a command or a setting. It edits package.json as
// text, token by token, so its formatting and escapes (\u2026) stay as they are (npm would reformat the file).
// `--check` changes nothing and exits 1 when a string is still plain or a placeholder has no English text; the unit
// test test/unit/l10n.test.ts runs the same check.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '../..');
export const PACKAGE_JSON = join(root, 'package.json');
export const PACKAGE_NLS = join(root, 'package.nls.json');
const PLACEHOLDER = /^%([\w.-]+)%$/;

/** `Performance and Memory` → `performanceAndMemory`: a readable key part from an English title. */
function slug(text) {
  const words = text.replace(/[^A-Za-z0-9]+/g, ' ').trim().split(' ');
  return words.map((w, i) => (i ? w[0].toUpperCase() + w.slice(1) : w[0].toLowerCase() + w.slice(1))).join('');
}

const SETTING_TEXTS = ['title', 'description', 'markdownDescription', 'deprecationMessage', 'markdownDeprecationMessage'];
const SETTING_LISTS = ['enumDescriptions', 'markdownEnumDescriptions', 'enumItemLabels'];
const PREFIX = 'offlineDictation.';
const short = (id) => (id.startsWith(PREFIX) ? id.slice(PREFIX.length) : id);

/**
 * Every manifest string a person reads, as [path, key]: the path into the parsed package.json and the key its
 * placeholder gets. Keys derive from ids (command, setting, walkthrough step), so they stay put when the English
 * text changes; only a configuration section, which has no id, is keyed by its title.
 */
export function localizableFields(pkg) {
  const out = [];
  const add = (path, key) => out.push([path, key]);
  for (const field of ['displayName', 'description']) if (typeof pkg[field] === 'string') add([field], `extension.${field}`);
  for (const [name, capability] of Object.entries(pkg.capabilities ?? {})) {
    if (typeof capability?.description === 'string') add(['capabilities', name, 'description'], `capabilities.${name}.description`);
  }
  const c = pkg.contributes ?? {};
  (c.commands ?? []).forEach((command, i) => {
    for (const field of ['title', 'shortTitle']) if (typeof command[field] === 'string') add(['contributes', 'commands', i, field], `command.${short(command.command)}.${field}`);
    // One category for all commands: one key, so a translation says it once.
    if (typeof command.category === 'string') add(['contributes', 'commands', i, 'category'], `command.category.${slug(resolvedOrPlain(command.category))}`);
  });
  (c.configuration ? [c.configuration].flat() : []).forEach((section, i) => {
    const path = Array.isArray(c.configuration) ? ['contributes', 'configuration', i] : ['contributes', 'configuration'];
    if (typeof section.title === 'string') add([...path, 'title'], `config.section.${slug(resolvedOrPlain(section.title))}.title`);
    for (const [id, setting] of Object.entries(section.properties ?? {})) {
      for (const field of SETTING_TEXTS) if (typeof setting[field] === 'string') add([...path, 'properties', id, field], `config.${short(id)}.${field}`);
      for (const field of SETTING_LISTS) {
        (setting[field] ?? []).forEach((_, j) => add([...path, 'properties', id, field, j], `config.${short(id)}.${field}.${setting.enum?.[j] ?? j}`));
      }
    }
  });
  (c.walkthroughs ?? []).forEach((walkthrough, i) => {
    for (const field of ['title', 'description']) if (typeof walkthrough[field] === 'string') add(['contributes', 'walkthroughs', i, field], `walkthrough.${walkthrough.id}.${field}`);
    (walkthrough.steps ?? []).forEach((step, j) => {
      for (const field of ['title', 'description', 'altText']) {
        if (typeof step[field] === 'string') add(['contributes', 'walkthroughs', i, 'steps', j, field], `walkthrough.${walkthrough.id}.${step.id}.${field}`);
      }
      if (typeof step.media?.altText === 'string') add(['contributes', 'walkthroughs', i, 'steps', j, 'media', 'altText'], `walkthrough.${walkthrough.id}.${step.id}.altText`);
    });
  });
  for (const [place, views] of Object.entries(c.views ?? {})) {
    views.forEach((view, i) => {
      for (const field of ['name', 'contextualTitle']) if (typeof view[field] === 'string') add(['contributes', 'views', place, i, field], `view.${short(view.id)}.${field}`);
    });
  }
  for (const [place, containers] of Object.entries(c.viewsContainers ?? {})) {
    containers.forEach((container, i) => {
      if (typeof container.title === 'string') add(['contributes', 'viewsContainers', place, i, 'title'], `viewContainer.${short(container.id)}.title`);
    });
  }
  (c.submenus ?? []).forEach((submenu, i) => {
    if (typeof submenu.label === 'string') add(['contributes', 'submenus', i, 'label'], `submenu.${short(submenu.id)}.label`);
  });
  (c.viewsWelcome ?? []).forEach((welcome, i) => add(['contributes', 'viewsWelcome', i, 'contents'], `viewsWelcome.${short(welcome.view)}.${i}.contents`));
  return out;
}

// Keys for the category and section titles come from their English text, which the nls file holds once converted.
let currentNls = {};
function resolvedOrPlain(value) {
  const m = PLACEHOLDER.exec(value);
  return m ? (currentNls[m[1]] ?? m[1]) : value;
}

const at = (value, path) => path.reduce((v, p) => v?.[p], value);

/** The check: plain strings that should be placeholders, placeholders without English text, unused English texts. */
export function manifestProblems(pkg = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')), nls = JSON.parse(readFileSync(PACKAGE_NLS, 'utf8'))) {
  currentNls = nls;
  const problems = [];
  const used = new Set();
  for (const [path, key] of localizableFields(pkg)) {
    const value = at(pkg, path);
    const m = PLACEHOLDER.exec(value);
    if (!m) problems.push(`package.json ${path.join('.')} is plain text ("${value}"); make it "%${key}%" (node scripts/l10n-manifest.mjs)`);
    else if (typeof nls[m[1]] !== 'string') problems.push(`package.json ${path.join('.')}: %${m[1]}% has no text in package.nls.json`);
    else used.add(m[1]);
  }
  // Any other placeholder in the manifest must resolve too (VS Code would show the raw %key%).
  JSON.stringify(pkg, (_, v) => {
    const m = typeof v === 'string' ? PLACEHOLDER.exec(v) : null;
    if (m) {
      used.add(m[1]);
      if (typeof nls[m[1]] !== 'string') problems.push(`package.json: %${m[1]}% has no text in package.nls.json`);
    }
    return v;
  });
  for (const key of Object.keys(nls)) if (!used.has(key)) problems.push(`package.nls.json: "${key}" is not used in package.json`);
  return [...new Set(problems)];
}

/** Offsets of every string value in a JSON text, by path (a small scanner: JSON.parse does not give positions). */
function stringTokens(text) {
  const tokens = new Map();
  let i = 0;
  const ws = () => { while (/\s/.test(text[i])) i++; };
  const str = () => {
    const start = i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return [start, i];
  };
  const value = (path) => {
    ws();
    if (text[i] === '{') {
      i++; ws();
      while (text[i] !== '}') {
        const [ks, ke] = str();
        const key = JSON.parse(text.slice(ks, ke));
        ws(); i++; // ':'
        value([...path, key]);
        ws();
        if (text[i] === ',') { i++; ws(); }
      }
      i++;
    } else if (text[i] === '[') {
      i++; ws();
      let n = 0;
      while (text[i] !== ']') {
        value([...path, n++]);
        ws();
        if (text[i] === ',') { i++; ws(); }
      }
      i++;
    } else if (text[i] === '"') {
      tokens.set(JSON.stringify(path), str());
    } else {
      while (i < text.length && !/[\s,}\]]/.test(text[i])) i++;
    }
  };
  value([]);
  return tokens;
}

/** Converts plain strings to placeholders and rewrites package.nls.json; returns how many strings it converted. */
export function convert() {
  const text = readFileSync(PACKAGE_JSON, 'utf8');
  const pkg = JSON.parse(text);
  let nls = {};
  try { nls = JSON.parse(readFileSync(PACKAGE_NLS, 'utf8')); } catch { /* first run */ }
  currentNls = nls;
  const tokens = stringTokens(text);
  const edits = [];
  const english = {};
  for (const [path, key] of localizableFields(pkg)) {
    const value = at(pkg, path);
    const m = PLACEHOLDER.exec(value);
    if (m) {
      if (typeof nls[m[1]] === 'string') english[m[1]] = nls[m[1]];
      continue;
    }
    english[key] = value;
    edits.push([tokens.get(JSON.stringify(path)), `"%${key}%"`]);
  }
  // Placeholders outside the known fields keep their text.
  for (const [key, value] of Object.entries(nls)) if (!(key in english) && text.includes(`"%${key}%"`)) english[key] = value;
  let out = text;
  for (const [[start, end], replacement] of edits.sort((a, b) => b[0][0] - a[0][0])) out = out.slice(0, start) + replacement + out.slice(end);
  JSON.parse(out); // never write a broken manifest
  if (out !== text) writeFileSync(PACKAGE_JSON, out);
  writeFileSync(PACKAGE_NLS, `${JSON.stringify(english, null, 2)}\n`);
  return edits.length;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--check')) {
    const problems = manifestProblems();
    for (const p of problems) console.error(p);
    console.log(problems.length ? `manifest l10n: ${problems.length} problem(s)` : 'manifest l10n: ok');
    process.exit(problems.length ? 1 : 0);
  }
  console.log(`manifest l10n: ${convert()} string(s) moved to package.nls.json`);
}
