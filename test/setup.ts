import '../src-shared/polyfills/promise-with-resolvers.js';
