print("cria")
