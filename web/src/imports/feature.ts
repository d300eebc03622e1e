import type { Feature } from '../lib/feature';

/** The import wizard, the import history and an import's page. */
export const importsFeature: Feature = { routes: [], nav: [] };
