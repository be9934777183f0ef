/**
 * Keeps every user-facing string on the message catalogue
 * (renderer/ui/i18n/index.svelte.ts): each component under renderer/ui is
 * parsed with Svelte's own compiler, and any words written straight into the
 * markup — text between tags, or a static label, title, placeholder, alt or
 * ARIA text — are reported as file:line. And the translations are checked
 * against the English source: no placeholder left, no `{param}` lost.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'svelte/compiler';
import { describe, expect, it } from 'vitest';
import { en } from '../../../renderer/ui/i18n/en';
import { de } from '../../../renderer/ui/i18n/de';

const root = join(import.meta.dirname, '../../..');
const uiDir = join(root, 'renderer/ui');

/** Attributes read out or shown to the agent, on any element. */
const textAttributes = new Set([
  'aria-label',
  'aria-description',
  'aria-roledescription',
  'aria-valuetext',
  'aria-placeholder',
  'title',
  'placeholder',
  'alt',
  'label',
]);
/** Props of our own components that carry prose into the markup (a heading, a hint, a message). */
const componentTextProps = new Set([...textAttributes, 'title', 'sub', 'hint', 'why', 'about', 'message', 'description', 'detail', 'caption', 'heading', 'text']);
/**
 * Text with letters that is not a word of any language. Keep it short: a
 * symbol belongs here only when no translation could ever change it.
 */
const allowed = new Set<string>([]);

const letters = /\p{L}/u;

interface Finding {
  file: string;
  line: number;
  what: string;
}

type Node = { type?: string; start?: number; name?: string; value?: unknown; data?: string } & Record<string, unknown>;

function lineOf(source: string, offset: number): number {
  return source.slice(0, offset).split('\n').length;
}

function hardCoded(text: string): boolean {
  const trimmed = text.trim();
  return trimmed !== '' && letters.test(trimmed) && !allowed.has(trimmed);
}

/** Every hard-coded text in one component's markup (script and style are not markup). */
export function findHardCodedText(file: string, source: string): Finding[] {
  const ast = parse(source, { modern: true, filename: file });
  const findings: Finding[] = [];
  const report = (offset: number, what: string) => findings.push({ file, line: lineOf(source, offset), what: what.trim().replace(/\s+/g, ' ') });

  const visit = (value: unknown, parent: Node | null): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v, parent);
      return;
    }
    if (!value || typeof value !== 'object') return;
    const node = value as Node;
    if (node.type === 'Text') {
      if (hardCoded(node.data ?? '')) report(node.start ?? 0, node.data ?? '');
      return;
    }
    // style:top="{y}px" and the like: CSS, not words.
    if (node.type?.endsWith('Directive')) return;
    if (node.type === 'Attribute') {
      const onComponent = parent?.type === 'Component' || parent?.type === 'SvelteComponent';
      const checked = (onComponent ? componentTextProps : textAttributes).has(node.name ?? '');
      // `value: true` is a bare attribute; an ExpressionTag is code, and code calls t().
      if (checked && Array.isArray(node.value)) {
        for (const part of node.value as Node[]) {
          if (part.type === 'Text' && hardCoded(part.data ?? '')) report(part.start ?? 0, `${node.name}="${part.data}"`);
        }
      }
      return;
    }
    for (const [key, child] of Object.entries(node)) {
      if (key === 'metadata' || key === 'name_loc') continue;
      visit(child, node);
    }
  };
  visit(ast.fragment, null);
  return findings;
}

const components = (readdirSync(uiDir, { recursive: true }) as string[])
  .filter((f) => f.endsWith('.svelte'))
  .map((f) => join(uiDir, f))
  .sort();

describe('the message catalogue lint', () => {
  it('finds components to check', () => {
    expect(components.length).toBeGreaterThan(10);
    expect(components.some((f) => f.endsWith('settings/SettingsView.svelte'))).toBe(true);
  });

  it('catches words in the markup and in static text attributes, and lets code and symbols through', () => {
    const source = [
      '<script lang="ts">let x = "Not markup";</script>',
      '<p>Hello</p>',
      '<p>{t("a.b")} ⚠ ✓ ▶ · — 40 %</p>',
      '<input placeholder="Search…" aria-label={t("x.y")} type="text" class="wide" />',
      '<Field label="Name" id="name-field" hint={t("h")} />',
      '<button title="Close {name}">×</button>',
      '<div style:top="{y}px" style="width: {w}px"></div>',
      '<style>p { color: var(--fg); }</style>',
    ].join('\n');
    expect(findHardCodedText('probe.svelte', source)).toEqual([
      { file: 'probe.svelte', line: 2, what: 'Hello' },
      { file: 'probe.svelte', line: 4, what: 'placeholder="Search…"' },
      { file: 'probe.svelte', line: 5, what: 'label="Name"' },
      { file: 'probe.svelte', line: 6, what: 'title="Close "' },
    ]);
  });

  it('has no user-facing text outside the catalogue in any component', () => {
    const findings = components.flatMap((file) => findHardCodedText(relative(root, file), readFileSync(file, 'utf8')));
    // One line per finding, so a failure reads as a to-do list.
    expect(findings.map((f) => `${f.file}:${f.line}  ${f.what}`)).toEqual([]);
  });
});

describe('the German catalogue', () => {
  const english = en as Readonly<Record<string, string>>;
  const german = de as Readonly<Record<string, string>>;
  const params = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

  it('carries exactly the English keys', () => {
    expect(Object.keys(german).sort()).toEqual(Object.keys(english).sort());
  });

  it('has no key left empty or as a placeholder', () => {
    const left = Object.entries(german).filter(([, text]) => text.trim() === '' || /^(TODO|FIXME|XXX|TBD|TRANSLATE)\b/i.test(text.trim()));
    expect(left.map(([key, text]) => `${key}: ${JSON.stringify(text)}`)).toEqual([]);
  });

  it('keeps every {param} of the English text, and adds none', () => {
    const differing = Object.keys(english).filter((key) => params(english[key]!).join() !== params(german[key] ?? '').join());
    expect(differing.map((key) => `${key}: en {${params(english[key]!).join(', ')}} de {${params(german[key] ?? '').join(', ')}}`)).toEqual([]);
  });
});
