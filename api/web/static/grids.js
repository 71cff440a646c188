import { boot } from './common.js'; boot();
