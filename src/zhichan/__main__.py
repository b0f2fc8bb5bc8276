from zhichan.cli import main

main()
