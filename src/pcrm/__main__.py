from pcrm.cli.main import run

run()
