/** npm run gen:centred-gram — writes src/core/centred-gram-onnx.ts from the builder in src/cli/onnx/centred-gram.ts. */
import { writeFile } from 'node:fs/promises';
import { buildCentredGramOnnx, centredGramModule } from '../src/cli/onnx/centred-gram';

const path = new URL('../src/core/centred-gram-onnx.ts', import.meta.url);
const bytes = buildCentredGramOnnx();
await writeFile(path, centredGramModule(bytes));
console.log(`wrote ${path.pathname} (${bytes.length} bytes of ONNX)`);
