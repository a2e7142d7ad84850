// Module Tokenizer.
