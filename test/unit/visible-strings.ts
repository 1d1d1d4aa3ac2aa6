/**
 * Finds words written straight into the page's source instead of going
 * through the message catalog (renderer/i18n). A German user would see them in
 * English. Run as a script to list them: `npx tsx test/unit/visible-strings.ts [dir or file…]`.
 *
 * What counts as visible: text between JSX tags, the attributes a screen or a
 * screen reader shows (title, placeholder, aria-label…), strings a JSX child
 * expression yields, strings given to properties that views show (label,
 * title, text…), and anything else that reads as prose (two words or more,
 * starting with a capital or ending like a sentence). A line may opt out with
 * `// i18n-exempt: <reason>` on it or just above it, for text that is not the
 * interface's own (a font name, a header field's name on the wire).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';

export interface VisibleString {
  file: string;
  line: number;
  rule: 'jsx-text' | 'attribute' | 'jsx-expression' | 'property' | 'prose';
  text: string;
}

const VISIBLE_ATTRIBUTES = new Set([
  ...['title', 'placeholder', 'alt', 'label', 'aria-label', 'aria-description', 'aria-placeholder', 'aria-roledescription', 'aria-valuetext'],
  // Our own components' props that end up on screen.
  ...['hint', 'description', 'heading', 'caption', 'summary', 'text', 'message', 'legend'],
]);
const VISIBLE_PROPERTIES = new Set(['label', 'title', 'text', 'heading', 'headline', 'description', 'placeholder', 'hint', 'caption', 'summary', 'verdict', 'explanation']);
const HAS_LETTER = /\p{L}/u;
const WORD_PAIR = /\p{L}{2,}[\s\u00a0]+\p{L}/u;
const PROSE_START = /^[\s"“‘(]*\p{Lu}\p{Ll}/u;
const PROSE_END = /\p{L}{2,}[.!?…:]\s*$/u;
const EXEMPT = /i18n-exempt:\s*\S/;

function looksLikeProse(text: string): boolean {
  return WORD_PAIR.test(text) && (PROSE_START.test(text) || PROSE_END.test(text));
}

/** The literal text a node yields when it is shown, through conditionals and templates. */
function literalTexts(node: ts.Node): string[] {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [node.text];
  if (ts.isTemplateExpression(node)) return [node.head.text, ...node.templateSpans.map((span) => span.literal.text)];
  if (ts.isParenthesizedExpression(node)) return literalTexts(node.expression);
  if (ts.isConditionalExpression(node)) return [...literalTexts(node.whenTrue), ...literalTexts(node.whenFalse)];
  if (ts.isBinaryExpression(node)) {
    const op = node.operatorToken.kind;
    if (op === ts.SyntaxKind.AmpersandAmpersandToken) return literalTexts(node.right);
    if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.PlusToken) {
      return [...literalTexts(node.left), ...literalTexts(node.right)];
    }
  }
  return [];
}

function propertyName(name: ts.PropertyName): string | undefined {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : undefined;
}

/** Strings that are never shown: module names, types, errors for developers, console output and catalog keys. */
function isNeverShown(node: ts.Node): boolean {
  // A source file's root has no parent, though the type says every node has one.
  for (let at: ts.Node | undefined = node.parent, child: ts.Node = node; at !== undefined; child = at, at = at.parent as ts.Node | undefined) {
    if (ts.isImportDeclaration(at) || ts.isExportDeclaration(at) || ts.isLiteralTypeNode(at) || ts.isImportTypeNode(at)) return true;
    if (ts.isNewExpression(at) && ts.isIdentifier(at.expression) && /Error$/.test(at.expression.text)) return true;
    if (ts.isCallExpression(at)) {
      const callee = at.expression;
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
      const object = ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) ? callee.expression.text : '';
      if (object === 'console') return true;
      // t('namespace:key', …) and i18n.t(…): the first argument is a key, not text.
      if ((name === 't' || name === 'exists') && at.arguments[0] === child) return true;
      if (name === 'querySelector' || name === 'querySelectorAll' || name === 'matchMedia' || name === 'getPropertyValue') return true;
    }
    if (ts.isJsxAttribute(at)) {
      const attribute = at.name.getText();
      return !VISIBLE_ATTRIBUTES.has(attribute);
    }
    if (ts.isPropertyAssignment(at) && at.name === child) return true;
  }
  return false;
}

export function findVisibleStrings(file: string, source: string): VisibleString[] {
  const sourceFile = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const lines = source.split('\n');
  const found: VisibleString[] = [];
  const reported = new Set<ts.Node>();

  const report = (node: ts.Node, rule: VisibleString['rule'], text: string): void => {
    const line = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line;
    if (EXEMPT.test(lines[line] ?? '') || EXEMPT.test(lines[line - 1] ?? '')) return;
    found.push({ file, line: line + 1, rule, text: text.trim().replace(/\s+/g, ' ').slice(0, 80) });
  };
  const reportLiterals = (expression: ts.Node, rule: VisibleString['rule']): void => {
    const texts = literalTexts(expression).filter((text) => HAS_LETTER.test(text));
    if (texts.length === 0) return;
    markLiterals(expression);
    report(expression, rule, texts.join(' … '));
  };
  const markLiterals = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node)) reported.add(node);
    ts.forEachChild(node, markLiterals);
  };

  const visit = (node: ts.Node): void => {
    if (ts.isJsxText(node) && HAS_LETTER.test(node.text)) report(node, 'jsx-text', node.text);
    else if (ts.isJsxAttribute(node) && VISIBLE_ATTRIBUTES.has(node.name.getText()) && node.initializer) {
      const value = ts.isJsxExpression(node.initializer) ? node.initializer.expression : node.initializer;
      if (value) reportLiterals(value, 'attribute');
    } else if (ts.isJsxExpression(node) && node.expression && (ts.isJsxElement(node.parent) || ts.isJsxFragment(node.parent))) {
      reportLiterals(node.expression, 'jsx-expression');
    } else if (ts.isPropertyAssignment(node) && VISIBLE_PROPERTIES.has(propertyName(node.name) ?? '')) {
      reportLiterals(node.initializer, 'property');
    } else if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node)) && !reported.has(node)) {
      const text = literalTexts(node).join(' ');
      if (looksLikeProse(text) && !isNeverShown(node)) {
        reported.add(node);
        report(node, 'prose', text);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

const ROOT = resolve(import.meta.dirname, '../..');
/** Where the page's words are made: the views, the Lab's explanations and the sync engine's messages. */
export const PAGE_SOURCES = ['renderer/ui', 'renderer/lab', 'renderer/sync', 'renderer/App.tsx'];

/** The page's own source files under `dir`, tests left out. */
export function pageSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return pageSources(path);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every visible string outside the catalog in a file, or in the page's source files under a directory. */
export function findInTree(path: string): VisibleString[] {
  const files = statSync(path).isDirectory() ? pageSources(path) : [path];
  return files.flatMap((file) => findVisibleStrings(relative(ROOT, file), readFileSync(file, 'utf8')));
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const dirs = process.argv.length > 2 ? process.argv.slice(2) : PAGE_SOURCES;
  const all = dirs.flatMap((dir) => findInTree(resolve(ROOT, dir)));
  for (const item of all) console.log(`${item.file}:${item.line} [${item.rule}] ${item.text}`);
  console.log(`${all.length} visible strings outside the catalog`);
}
