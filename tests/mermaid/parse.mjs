// Reads a JSON array of Mermaid texts on stdin; prints a JSON array: null (parsed) or the error.
import mermaid from 'mermaid';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const text of JSON.parse(input)) {
  try {
    await mermaid.parse(text);
    results.push(null);
  } catch (e) {
    results.push(String(e.message || e));
  }
}
process.stdout.write(JSON.stringify(results));
