import { assets } from './assets.js';

/** Deskbell's version, from package.json (shipped with the app, and inside the single executable). */
export const VERSION: string = assets.readJson<{ version: string }>('package.json').version;
