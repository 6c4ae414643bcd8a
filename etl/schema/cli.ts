// `npm run schema`: prints the schema files as one SQL script, for a PlanetScale development
// branch (pscale shell) before its deploy request, or for a self-hosted MySQL (mysql < file).
import { schemaStatements } from './files.ts';

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(`Usage: npm run schema

Prints the database schema (etl/schema/*.sql) as one SQL script. Apply it to a PlanetScale
development branch and deploy it with a deploy request:
  pscale branch create nhis add-schema
  npm run schema --silent | pscale shell nhis add-schema
  pscale deploy-request create nhis add-schema
or to a self-hosted MySQL/MariaDB: npm run schema --silent | mysql nhis
`);
} else {
  process.stdout.write(`${schemaStatements().join(';\n\n')};\n`);
}
