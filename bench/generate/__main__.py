from bench.generate import main

main()
