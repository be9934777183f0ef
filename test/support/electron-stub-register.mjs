// `node --import` entry for ./electron-stub-hooks.mjs (why: see there).
import { register } from 'node:module';

register('./electron-stub-hooks.mjs', import.meta.url);
