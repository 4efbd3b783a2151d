// Preload (`node --import tsx --import ./without-tsx.mjs ...`) that makes the process resolve
// `tsx/esm/api` as a project without tsx installed does: ERR_MODULE_NOT_FOUND, "Cannot find
// package 'tsx'". tsx itself stays registered, so the sources still run; only the strategy
// loader's lazy import of tsx's API fails (strategy-file.test.ts).
import { register } from 'node:module';

const hooks = `export async function resolve(specifier, context, next) {
  if (specifier === 'tsx/esm/api') {
    const e = new Error("Cannot find package 'tsx' imported from " + context.parentURL);
    e.code = 'ERR_MODULE_NOT_FOUND';
    throw e;
  }
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`, import.meta.url);
