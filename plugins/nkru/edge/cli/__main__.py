from nkru.edge.cli import main

main()
