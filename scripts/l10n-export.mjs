#!/usr/bin/env node
// Runtime localisation. Every text the extension shows a person (notifications and their buttons, quick picks,
// input boxes, progress, status bar text and tooltips, hovers) is written `vscode.l10n.t('English text {0}', value)`.
// `node scripts/l10n-export.mjs` reads those calls with the TypeScript compiler and writes l10n/bundle.l10n.json, the
// English bundle a translator copies to bundle.l10n.<locale>.json (the role of @vscode/l10n-dev's export, which the
// project does not depend on). `--check` writes nothing and fails when the bundle is stale, when a text reaches the
// person without l10n.t, or when the manifest has a plain string (scripts/l10n-manifest.mjs); test/unit/l10n.test.ts
// runs the same checks.
//
// What is localised where: src/vscode and src/extension.ts (the only code that talks to the person) wrap every text
// they write. src/core and src/node cannot import vscode; their error messages are English details — also written to
// the log, where they stay searchable — which the vscode layer puts inside a localised sentence
// (l10n.t('Could not transcribe {0}: {1}', name, error.message)), and errors are told apart by their `code`, never by
// their text. Log lines stay English.
import { readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(fileURLToPath(import.meta.url), '../..');
export const BUNDLE = join(root, 'l10n/bundle.l10n.json');

function tsFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The code that talks to the person: the vscode layer and the composition root. */
export function uiFiles(base = root) {
  return [...tsFiles(join(base, 'src/vscode')), join(base, 'src/extension.ts')].sort();
}

function program(files) {
  return ts.createProgram(files, { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, strict: true, skipLibCheck: true, noEmit: true, types: ['node'] });
}

/** `vscode.l10n.t(…)` or `l10n.t(…)`. */
function isL10nCall(node) {
  if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression) || node.expression.name.text !== 't') return false;
  const owner = node.expression.expression;
  return (ts.isIdentifier(owner) && owner.text === 'l10n') || (ts.isPropertyAccessExpression(owner) && owner.name.text === 'l10n');
}

const where = (node) => {
  const sf = node.getSourceFile();
  const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  return `${relative(root, sf.fileName)}:${line + 1}`;
};

/** Words a person reads: letters, once codicons ($(mic)) and HTML entities (&nbsp;) are taken out. */
const hasWords = (text) => /\p{L}/u.test(text.replace(/\$\([\w~-]+\)/g, '').replace(/&\w+;/g, ''));

/** Calls whose arguments (strings, and the listed fields of object arguments) are shown to the person. */
const SHOWN_CALLS = new Set([
  'showInformationMessage', 'showWarningMessage', 'showErrorMessage', 'showQuickPick', 'showInputBox', 'withProgress', 'report',
  'showOpenDialog', 'showSaveDialog', 'setStatusBarMessage', 'appendMarkdown', 'appendText',
  // The project's own thin wrappers of those: the clipboard target's notification, the team engine's consent dialog.
  'notify', 'prompt',
]);
/** Fields of objects (anywhere in the UI code) that VS Code shows: quick pick items, dialogs, progress, accessibility. */
const SHOWN_FIELDS = new Set(['label', 'description', 'detail', 'title', 'placeHolder', 'placeholder', 'prompt', 'tooltip', 'openLabel', 'saveLabel', 'message', 'validationMessage', 'validateInput']);
/** Assignments to these properties of a UI object: status bar items, quick picks and input boxes built by hand. */
const SHOWN_ASSIGNMENTS = new Set(['text', 'tooltip', 'name', 'title', 'placeholder', 'prompt', 'label', 'description', 'detail', 'validationMessage']);
const UI_TYPES = /^(StatusBarItem|QuickPick|InputBox|LanguageStatusItem|TreeItem|QuickPickItem)$/;
/** An error's code (`new RemoteEngineError('BAD_URL', …)`) is an identifier, not text. */
const isCode = (text) => /^[A-Z][A-Z0-9_]*$/.test(text);

/**
 * Texts that reach the person without l10n.t in the given files: `file:line: "text"` for each. Follows a value
 * through conditionals, `+`, template literals, arrays, `.join()`, `.map()` callbacks and local constants; what a
 * function returns is checked where that function builds it.
 */
export function bypasses(files = uiFiles()) {
  const prog = program(files);
  const checker = prog.getTypeChecker();
  const found = [];
  const flag = (node, text) => found.push(`${where(node)}: "${text.length > 70 ? `${text.slice(0, 67)}…` : text}" is shown without vscode.l10n.t`);

  const checkValue = (e, seen = new Set()) => {
    if (!e || seen.has(e)) return;
    seen.add(e);
    const again = (x) => checkValue(x, seen);
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) {
      if (hasWords(e.text)) flag(e, e.text);
    } else if (ts.isTemplateExpression(e)) {
      const literal = e.head.text + e.templateSpans.map((s) => s.literal.text).join('');
      if (hasWords(literal)) flag(e, e.getText());
      for (const span of e.templateSpans) again(span.expression);
    } else if (ts.isConditionalExpression(e)) {
      again(e.whenTrue);
      again(e.whenFalse);
    } else if (ts.isBinaryExpression(e) && [ts.SyntaxKind.PlusToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(e.operatorToken.kind)) {
      again(e.left);
      again(e.right);
    } else if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSpreadElement(e) || ts.isAwaitExpression(e)) {
      again(e.expression);
    } else if (ts.isArrayLiteralExpression(e)) {
      e.elements.forEach(again);
    } else if (ts.isObjectLiteralExpression(e)) {
      checkObject(e, again);
    } else if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) {
      if (!ts.isBlock(e.body)) again(e.body);
      else checkReturns(e.body, again);
    } else if (ts.isCallExpression(e) && !isL10nCall(e) && ts.isPropertyAccessExpression(e.expression)) {
      const method = e.expression.name.text;
      if (method === 'join' || method === 'filter' || method === 'concat' || method === 'trim') again(e.expression.expression);
      if (method === 'map' || method === 'flatMap') e.arguments.forEach(again);
    } else if (ts.isIdentifier(e)) {
      // A local constant: `const message = \`…\`; showInformationMessage(message)`.
      const declaration = checker.getSymbolAtLocation(e)?.valueDeclaration;
      if (declaration && ts.isVariableDeclaration(declaration) && files.includes(declaration.getSourceFile().fileName)) again(declaration.initializer);
    }
  };

  const checkReturns = (body, again) =>
    ts.forEachChild(body, function returns(n) {
      if (ts.isReturnStatement(n)) again(n.expression);
      else if (!ts.isFunctionLike(n)) ts.forEachChild(n, returns);
    });

  const checkObject = (object, again) => {
    for (const property of object.properties) {
      if (!ts.isPropertyAssignment(property)) continue;
      const name = property.name && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) ? property.name.text : undefined;
      if (name === 'filters' && ts.isObjectLiteralExpression(property.initializer)) {
        // Dialog filters: the keys are the names shown in the file type list.
        for (const filter of property.initializer.properties) if (filter.name && ts.isStringLiteral(filter.name) && hasWords(filter.name.text)) flag(filter.name, filter.name.text);
      } else if (name && SHOWN_FIELDS.has(name)) {
        again(property.initializer);
      } else if (ts.isObjectLiteralExpression(property.initializer)) {
        checkObject(property.initializer, again);
      }
    }
  };

  for (const file of files) {
    const sf = prog.getSourceFile(file);
    ts.forEachChild(sf, function visit(node) {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && SHOWN_CALLS.has(node.expression.name.text)) {
        for (const argument of node.arguments) checkValue(argument);
      } else if (ts.isNewExpression(node)) {
        const name = node.expression.getText(sf);
        if (/MarkdownString$/.test(name)) node.arguments?.forEach((a) => checkValue(a));
        // An error thrown in the UI code ends up in a notification (the command wrapper shows its message).
        if (/Error$/.test(name)) node.arguments?.forEach((a) => !(ts.isStringLiteral(a) && isCode(a.text)) && checkValue(a));
      } else if (ts.isObjectLiteralExpression(node)) {
        checkObject(node, (x) => checkValue(x));
      } else if (ts.isMethodDeclaration(node) && node.name.getText(sf) === 'describe' && node.body) {
        // TextTarget.describe(): the place text goes, shown in the status bar's tooltip.
        checkReturns(node.body, (x) => checkValue(x));
      } else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left) && SHOWN_ASSIGNMENTS.has(node.left.name.text)) {
        const owner = checker.getTypeAtLocation(node.left.expression);
        const typeName = owner.aliasSymbol?.name ?? owner.getSymbol()?.name ?? '';
        if (UI_TYPES.test(typeName)) checkValue(node.right);
      }
      if (!isL10nCall(node)) ts.forEachChild(node, visit);
    });
  }
  return [...new Set(found)];
}

/**
 * The English texts of every l10n.t call in src, in file order, and the problems that keep one out of a bundle: a
 * message that is not a literal (a translator could never see it), or a {n} placeholder without its value.
 */
export function messagesInCode(files = tsFiles(join(root, 'src')).sort()) {
  const messages = [];
  const problems = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    if (!text.includes('l10n.t(')) continue;
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
    ts.forEachChild(sf, function visit(node) {
      if (isL10nCall(node)) {
        const [message, ...args] = node.arguments;
        if (!message || !(ts.isStringLiteral(message) || ts.isNoSubstitutionTemplateLiteral(message))) {
          problems.push(`${where(node)}: l10n.t needs the English text as a literal, with {0} placeholders for values`);
        } else {
          messages.push(message.text);
          const highest = Math.max(-1, ...[...message.text.matchAll(/\{(\d+)\}/g)].map((m) => Number(m[1])));
          if (highest >= args.length) problems.push(`${where(node)}: "${message.text}" uses {${highest}} but passes ${args.length} value(s)`);
        }
      }
      ts.forEachChild(node, visit);
    });
  }
  return { messages: [...new Set(messages)], problems };
}

/** The bundle's text for the code as it is: every message mapped to itself (English is the source language). */
export function bundleText() {
  const { messages } = messagesInCode();
  return `${JSON.stringify(Object.fromEntries(messages.map((m) => [m, m])), null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { problems } = messagesInCode();
  if (process.argv.includes('--check')) {
    const { manifestProblems } = await import('./l10n-manifest.mjs');
    let current = '';
    try { current = readFileSync(BUNDLE, 'utf8'); } catch { /* missing: stale */ }
    const all = [
      ...problems,
      ...(current === bundleText() ? [] : ['l10n/bundle.l10n.json is not up to date: run node scripts/l10n-export.mjs']),
      ...bypasses(),
      ...manifestProblems(),
    ];
    for (const p of all) console.error(p);
    console.log(all.length ? `l10n check: ${all.length} problem(s)` : 'l10n check: ok');
    process.exit(all.length ? 1 : 0);
  }
  for (const p of problems) console.error(p);
  mkdirSync(dirname(BUNDLE), { recursive: true });
  writeFileSync(BUNDLE, bundleText());
  console.log(`l10n: ${Object.keys(JSON.parse(bundleText())).length} message(s) in ${relative(root, BUNDLE)}`);
  process.exit(problems.length ? 1 : 0);
}
