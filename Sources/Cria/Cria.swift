// Module Cria.
