// Enforces Nx project tags the way @nx/enforce-module-boundaries does. There is no @nx/eslint-plugin
// for nx 24, so this rule reads the same data nx uses: each project's package.json `nx.tags`.
//
// A file belongs to the project whose root contains it. An import is resolved to a project either
// by its package name (`@jwt-token/auth`) or, for relative paths, by where it lands on disk.
// The constraints come from the rule options: `{ sourceTag, onlyDependOnLibsWithTags }`.
const fs = require('node:fs');
const path = require('node:path');

const workspaceRoot = path.resolve(__dirname, '../..');

function loadProjects() {
  const projects = [];
  for (const group of ['apps', 'libs']) {
    const groupDir = path.join(workspaceRoot, group);
    if (!fs.existsSync(groupDir)) continue;
    for (const name of fs.readdirSync(groupDir)) {
      const manifestPath = path.join(groupDir, name, 'package.json');
      if (!fs.existsSync(manifestPath)) continue;
      const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
      projects.push({
        root: path.join(groupDir, name) + path.sep,
        packageName: manifest.name,
        tags: (manifest.nx && manifest.nx.tags) || [],
      });
    }
  }
  return projects;
}

const projects = loadProjects();

function projectOfFile(file) {
  return projects.find((project) => file.startsWith(project.root));
}

function projectOfImport(specifier, importingFile) {
  if (specifier.startsWith('.')) {
    return projectOfFile(path.resolve(path.dirname(importingFile), specifier));
  }
  return projects.find(
    (project) =>
      specifier === project.packageName || specifier.startsWith(project.packageName + '/'),
  );
}

module.exports = {
  rules: {
    'enforce-module-boundaries': {
      meta: {
        type: 'problem',
        schema: [{ type: 'object', additionalProperties: true }],
        messages: {
          tagViolation:
            'A project tagged "{{source}}" may only depend on projects tagged {{allowed}}; "{{target}}" is tagged {{targetTags}}.',
          selfImportByName:
            'A project must not import itself by its package name ("{{target}}"); use a relative import.',
        },
      },
      create(context) {
        const { depConstraints = [] } = context.options[0] || {};
        const filename = context.filename || context.getFilename();
        const source = projectOfFile(filename);
        if (!source) return {};

        function check(node, specifier) {
          if (typeof specifier !== 'string') return;
          const target = projectOfImport(specifier, filename);
          if (!target) return;
          if (target === source) {
            if (!specifier.startsWith('.')) {
              context.report({
                node,
                messageId: 'selfImportByName',
                data: { target: target.packageName },
              });
            }
            return;
          }
          for (const constraint of depConstraints) {
            if (!source.tags.includes(constraint.sourceTag)) continue;
            const allowed = constraint.onlyDependOnLibsWithTags || [];
            if (!target.tags.some((tag) => allowed.includes(tag))) {
              context.report({
                node,
                messageId: 'tagViolation',
                data: {
                  source: constraint.sourceTag,
                  allowed: JSON.stringify(allowed),
                  target: target.packageName,
                  targetTags: JSON.stringify(target.tags),
                },
              });
            }
          }
        }

        return {
          ImportDeclaration: (node) => check(node, node.source.value),
          ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
          ExportAllDeclaration: (node) => check(node, node.source.value),
          ImportExpression: (node) =>
            node.source.type === 'Literal' && check(node, node.source.value),
          CallExpression: (node) => {
            if (
              node.callee.type === 'Identifier' &&
              node.callee.name === 'require' &&
              node.arguments[0]?.type === 'Literal'
            ) {
              check(node, node.arguments[0].value);
            }
          },
        };
      },
    },
  },
};
