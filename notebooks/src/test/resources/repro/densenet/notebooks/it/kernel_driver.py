"""Runs cells on the Java kernel through jupyter_client and prints what Jupyter received.

Usage: kernel_driver.py CELLS.json  (a list of {"code": str, "interrupt_after": seconds or null})
Prints a JSON list, one entry per cell: the execute_reply's status, ename and evalue, and the
iopub outputs (stream, execute_result, display_data, error) in arrival order.
"""
import json
import sys
import threading

from jupyter_client.manager import start_new_kernel


def main():
    with open(sys.argv[1]) as f:
        cells = json.load(f)
    km, kc = start_new_kernel(kernel_name="java", startup_timeout=180)
    results = []
    try:
        info = kc.kernel_info(reply=True, timeout=60)["content"]
        for cell in cells:
            outputs = []

            def hook(msg, outputs=outputs):
                t, c = msg["msg_type"], msg["content"]
                if t == "stream":
                    outputs.append({"type": t, "name": c["name"], "text": c["text"]})
                elif t in ("execute_result", "display_data"):
                    outputs.append({"type": t, "data": c["data"]})
                elif t == "error":
                    outputs.append({"type": t, "ename": c["ename"], "evalue": c["evalue"],
                                    "traceback": c["traceback"]})

            timer = None
            if cell.get("interrupt_after"):
                timer = threading.Timer(cell["interrupt_after"], km.interrupt_kernel)
                timer.start()
            reply = kc.execute_interactive(cell["code"], output_hook=hook, timeout=600)
            if timer:
                timer.cancel()
            c = reply["content"]
            results.append({"status": c["status"], "ename": c.get("ename"), "evalue": c.get("evalue"),
                            "outputs": outputs})
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    json.dump({"language": info["language_info"]["name"], "cells": results}, sys.stdout)


if __name__ == "__main__":
    main()
