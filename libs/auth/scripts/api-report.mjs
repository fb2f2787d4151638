#!/usr/bin/env node
// The public API report of @jwt-token/auth: every declaration its entry points export, as the
// TypeScript compiler declares them (.d.ts output, comments removed, sorted by name), plus the
// non-exported declarations those signatures reference and the external types they import.
//
//   node libs/auth/scripts/api-report.mjs --check    rebuild the declarations in memory and fail,
//                                                   with a diff, if libs/auth/api/auth.api.md differs
//   node libs/auth/scripts/api-report.mjs --update   rewrite libs/auth/api/auth.api.md
//
// The declarations come from a fresh in-memory compile of libs/auth/tsconfig.lib.json: nothing is
// written to dist, and a stale dist cannot hide a change.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ts = require('typescript');

const LIBRARY = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WORKSPACE = resolve(LIBRARY, '..', '..');
const REPORT = join(LIBRARY, 'api', 'auth.api.md');
const PACKAGE_NAME = JSON.parse(readFileSync(join(LIBRARY, 'package.json'), 'utf8')).name;
/** Entry points, in report order: the package subpath and its source barrel. */
const ENTRY_POINTS = [
  { subpath: '.', source: 'src/index.ts' },
  { subpath: './testing', source: 'src/testing/index.ts' },
  { subpath: './socket.io', source: 'src/socket.io/index.ts' },
  { subpath: './ws', source: 'src/ws/index.ts' },
];

function fail(message) {
  process.stderr.write(`api-report: ${message}\n`);
  process.exit(1);
}

function formatDiagnostics(diagnostics) {
  return ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => WORKSPACE,
    getNewLine: () => '\n',
  });
}

/** Compiles the library's declarations in memory: path of each would-be .d.ts → its text. */
function emitDeclarations() {
  const configPath = join(LIBRARY, 'tsconfig.lib.json');
  const config = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => fail(formatDiagnostics([d])),
    },
  );
  if (config.errors.length > 0) fail(formatDiagnostics(config.errors));
  const options = {
    ...config.options,
    declaration: true,
    emitDeclarationOnly: true,
    declarationMap: false,
    sourceMap: false,
    inlineSources: false,
  };
  const program = ts.createProgram({ rootNames: config.fileNames, options });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  if (diagnostics.length > 0) {
    fail(`the library does not compile:\n${formatDiagnostics(diagnostics)}`);
  }
  const files = new Map();
  const result = program.emit(
    undefined,
    (fileName, text) => files.set(resolve(fileName), text),
    undefined,
    true,
  );
  if (result.emitSkipped) {
    fail(`declaration emit failed:\n${formatDiagnostics(result.diagnostics)}`);
  }
  return { files, options, outDir: resolve(config.options.outDir) };
}

/** `directory` and its parents up to and including `root` (without the trailing separator). */
function ancestorsWithin(directory, root) {
  const result = [];
  for (let d = directory; (d + sep).startsWith(root); d = dirname(d)) result.push(d);
  result.push(root.slice(0, -1));
  return result;
}

/** A program over the in-memory .d.ts files (at their dist paths, so node_modules resolve as usual). */
function declarationProgram(files, emitOptions, entryFiles) {
  const options = { ...emitOptions, noEmit: true, declaration: false, emitDeclarationOnly: false };
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile, directoryExists } = host;
  // Only the in-memory declarations exist under dist: a stale dist on disk plays no part, and a
  // missing one (a fresh clone, never built) must not stop module resolution from looking there.
  const dist = join(LIBRARY, 'dist') + sep;
  const distDirectories = new Set(
    [...files.keys()].flatMap((f) => ancestorsWithin(dirname(f), dist)),
  );
  host.fileExists = (f) => files.has(resolve(f)) || (!resolve(f).startsWith(dist) && fileExists(f));
  host.directoryExists = (d) =>
    distDirectories.has(resolve(d)) ||
    (directoryExists ? directoryExists(d) : ts.sys.directoryExists(d));
  host.readFile = (f) => (files.has(resolve(f)) ? files.get(resolve(f)) : readFile(f));
  host.getSourceFile = (f, languageVersion, onError, shouldCreate) =>
    files.has(resolve(f))
      ? ts.createSourceFile(f, files.get(resolve(f)), languageVersion, true)
      : getSourceFile(f, languageVersion, onError, shouldCreate);
  return ts.createProgram({ rootNames: entryFiles, options, host });
}

function topLevelStatement(node) {
  while (node.parent && !ts.isSourceFile(node.parent)) node = node.parent;
  return node.parent ? node : undefined;
}

/**
 * The unit a declaration is printed as: its top-level statement, or, in a `const` statement that
 * declares several names, its own declarator. Members and parameters belong to their statement.
 */
function unitOf(declaration) {
  const statement = topLevelStatement(declaration);
  if (!statement) return undefined;
  if (ts.isVariableStatement(statement) && statement.declarationList.declarations.length > 1) {
    const declarator = ts.findAncestor(declaration, ts.isVariableDeclaration);
    if (declarator) {
      return { key: declarator, statement, declarator, name: declarator.name.getText() };
    }
  }
  const name =
    statement.name?.text ?? statement.declarationList?.declarations[0]?.name.getText() ?? '';
  return { key: statement, statement, declarator: undefined, name };
}

function buildReport() {
  const { files, options, outDir } = emitDeclarations();
  const dtsOf = (source) =>
    join(outDir, relative(join(LIBRARY, 'src'), join(LIBRARY, source))).replace(/\.ts$/, '.d.ts');
  const program = declarationProgram(
    files,
    options,
    ENTRY_POINTS.map((e) => dtsOf(e.source)),
  );
  const checker = program.getTypeChecker();
  const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });
  const isLibraryFile = (sourceFile) => files.has(resolve(sourceFile.fileName));

  /** A unit's text: its statement, or the statement reduced to its one declarator. */
  const print = ({ statement, declarator }) => {
    const node = declarator
      ? ts.factory.updateVariableStatement(
          statement,
          statement.modifiers,
          ts.factory.updateVariableDeclarationList(statement.declarationList, [declarator]),
        )
      : statement;
    return printer.printNode(ts.EmitHint.Unspecified, node, statement.getSourceFile());
  };

  /** Library declarations and external imports that a declaration's text refers to. */
  const references = (node, onLocal, onExternal) => {
    const visit = (child) => {
      if (ts.isIdentifier(child)) {
        const symbol = checker.getSymbolAtLocation(child);
        if (symbol) {
          let target = symbol;
          if (symbol.flags & ts.SymbolFlags.Alias) {
            const importNode = symbol.declarations?.[0];
            const importDeclaration =
              importNode && ts.findAncestor(importNode, ts.isImportDeclaration);
            const specifier = importDeclaration?.moduleSpecifier.text;
            if (specifier && !specifier.startsWith('.')) {
              onExternal(specifier, importNode);
              target = undefined;
            } else {
              target = checker.getAliasedSymbol(symbol);
            }
          }
          for (const declaration of target?.declarations ?? []) {
            if (isLibraryFile(declaration.getSourceFile())) onLocal(declaration);
          }
        }
      }
      ts.forEachChild(child, visit);
    };
    ts.forEachChild(node, visit);
  };

  const printed = new Set(); // unit keys already in the report
  const sections = [];
  const pending = []; // declarations referenced by printed units

  for (const entry of ENTRY_POINTS) {
    const sourceFile = program.getSourceFile(dtsOf(entry.source));
    const moduleSymbol = checker.getSymbolAtLocation(sourceFile);
    const exports = checker
      .getExportsOfModule(moduleSymbol)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const externals = new Map();
    const onExternal = (specifier, importNode) => {
      const imported = importNode.propertyName ?? importNode.name;
      const text = importNode.propertyName
        ? `${imported.text} as ${importNode.name.text}`
        : importNode.name.text;
      if (!externals.has(specifier)) externals.set(specifier, new Set());
      externals.get(specifier).add(text);
    };
    const blocks = [];
    for (const exported of exports) {
      const symbol =
        exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const declarations = (symbol.declarations ?? []).filter((d) =>
        isLibraryFile(d.getSourceFile()),
      );
      if (declarations.length === 0) fail(`cannot find the declaration of ${exported.name}`);
      const texts = [];
      if (symbol.name !== exported.name) texts.push(`// exported as ${exported.name}`);
      for (const declaration of declarations) {
        const unit = unitOf(declaration);
        if (printed.has(unit.key)) {
          texts.push(`// ${exported.name}: declared above`);
          continue;
        }
        printed.add(unit.key);
        texts.push(print(unit));
        references(unit.declarator ?? unit.statement, (d) => pending.push(d), onExternal);
      }
      blocks.push(texts.join('\n'));
    }
    sections.push({
      title: `\`${entry.subpath === '.' ? PACKAGE_NAME : `${PACKAGE_NAME}/${entry.subpath.slice(2)}`}\``,
      externals,
      blocks,
    });
  }

  // Declarations the exported signatures need but no entry point exports (API Extractor's
  // "forgotten exports"), and whatever they need in turn.
  const internal = new Map();
  const internalExternals = new Map();
  while (pending.length > 0) {
    const unit = unitOf(pending.shift());
    if (!unit || printed.has(unit.key)) continue;
    printed.add(unit.key);
    internal.set(`${unit.name}\u0000${internal.size}`, print(unit));
    references(
      unit.declarator ?? unit.statement,
      (d) => pending.push(d),
      (specifier, importNode) => {
        const name = importNode.propertyName
          ? `${importNode.propertyName.text} as ${importNode.name.text}`
          : importNode.name.text;
        if (!internalExternals.has(specifier)) internalExternals.set(specifier, new Set());
        internalExternals.get(specifier).add(name);
      },
    );
  }
  if (internal.size > 0) {
    sections.push({
      title: 'Not exported, but referenced by the declarations above',
      externals: internalExternals,
      blocks: [...internal.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, text]) => text),
    });
  }

  const importLines = (externals) =>
    [...externals.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(
        ([specifier, names]) =>
          `import type { ${[...names].sort().join(', ')} } from '${specifier}';`,
      );

  const lines = [
    `# API report: ${PACKAGE_NAME}`,
    '',
    "Generated by `libs/auth/scripts/api-report.mjs` from the TypeScript compiler's declaration output",
    '(comments removed, declarations sorted by name). Do not edit by hand. CI compares it with a fresh',
    'build (`npm run api:check`); after an intended API change run `npm run api:update`, commit this',
    'file with the change, and record it in `CHANGELOG.md`.',
  ];
  for (const section of sections) {
    lines.push('', `## ${section.title}`, '', '```ts');
    const imports = importLines(section.externals);
    if (imports.length > 0) lines.push(...imports, '');
    lines.push(section.blocks.join('\n\n'), '```');
  }
  return lines.join('\n') + '\n';
}

async function formatted(markdown) {
  const prettier = await import('prettier');
  const config = (await prettier.resolveConfig(REPORT)) ?? {};
  return prettier.format(markdown, { ...config, filepath: REPORT });
}

function showDiff(expected, actual) {
  const dir = mkdtempSync(join(tmpdir(), 'api-report-'));
  try {
    const fresh = join(dir, 'auth.api.md (fresh build)');
    writeFileSync(fresh, actual);
    const diff = spawnSync('diff', ['-u', REPORT, fresh], { encoding: 'utf8' });
    if (diff.error) {
      const a = expected.split('\n');
      const b = actual.split('\n');
      const line = a.findIndex((l, i) => l !== b[i]);
      return `first difference at line ${line + 1}:\n- ${a[line]}\n+ ${b[line]}\n`;
    }
    return diff.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const mode = process.argv[2];
if (mode !== '--check' && mode !== '--update') {
  process.stderr.write('usage: node libs/auth/scripts/api-report.mjs --check | --update\n');
  process.exit(2);
}
const report = await formatted(buildReport());
const relativeReport = relative(WORKSPACE, REPORT);
if (mode === '--update') {
  const before = existsSync(REPORT) ? readFileSync(REPORT, 'utf8') : '';
  mkdirSync(dirname(REPORT), { recursive: true });
  writeFileSync(REPORT, report);
  process.stdout.write(
    before === report ? `${relativeReport} is up to date\n` : `updated ${relativeReport}\n`,
  );
} else {
  if (!existsSync(REPORT))
    fail(`${relativeReport} is missing: run \`npm run api:update\` and commit it`);
  const committed = readFileSync(REPORT, 'utf8');
  if (committed !== report) {
    process.stderr.write(showDiff(committed, report));
    fail(
      `the public API of ${PACKAGE_NAME} differs from ${relativeReport} (diff above).\n` +
        'If the change is intended: `npm run api:update`, commit the report, and add a CHANGELOG entry.',
    );
  }
  process.stdout.write(`${relativeReport}: the public API is unchanged\n`);
}
