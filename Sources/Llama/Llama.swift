// Module Llama.
