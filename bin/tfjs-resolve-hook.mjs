// tfjs-core's ES module build (needed for its gradient registrations, which its CommonJS bundle
// lacks) imports relative paths without extensions, which Node's ESM resolver rejects. Retry
// such imports inside @tensorflow packages with ".js", as a bundler would.
export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const fixable = error?.code === 'ERR_UNSUPPORTED_DIR_IMPORT' || error?.code === 'ERR_MODULE_NOT_FOUND';
    if (fixable && specifier.startsWith('.') && !specifier.endsWith('.js') && context.parentURL?.includes('/node_modules/@tensorflow/')) {
      return nextResolve(`${specifier}.js`, context);
    }
    throw error;
  }
}
