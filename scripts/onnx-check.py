#!/usr/bin/python3
"""Runs ONNX's checker (full_check: also strict shape inference) on every .onnx file of a
folder and writes checker.json there: {"onnx": version, "files": {name: "ok" or the error}}.

Run with Debian's python3-onnx:  /usr/bin/python3 scripts/onnx-check.py test/fixtures/onnx-export
(scripts/onnx-export-fixtures.ts regenerates the fixtures and runs this.)
Exits 1 when a file fails the check.
"""
import json
import os
import sys

import onnx


def main() -> int:
    folder = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'onnx-export')
    results = {}
    for name in sorted(os.listdir(folder)):
        if not name.endswith('.onnx'):
            continue
        try:
            model = onnx.load(os.path.join(folder, name))
            onnx.checker.check_model(model, full_check=True)
            results[name] = 'ok'
        except Exception as e:  # the checker raises several exception types
            results[name] = f'{type(e).__name__}: {e}'.strip()
    report = {'onnx': onnx.__version__, 'fullCheck': True, 'files': results}
    with open(os.path.join(folder, 'checker.json'), 'w', encoding='utf-8') as f:
        json.dump(report, f, indent=2, sort_keys=True)
        f.write('\n')
    failed = [n for n, r in results.items() if r != 'ok']
    print(f'onnx-check: onnx {onnx.__version__}, {len(results) - len(failed)} of {len(results)} files pass check_model(full_check=True)')
    for n in failed:
        print(f'  {n}: {results[n]}', file=sys.stderr)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
