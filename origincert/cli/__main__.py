from origincert.cli import main

main(prog_name="origincert")
