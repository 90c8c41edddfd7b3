"""Reference scores for `cortex train`'s defaults on four small public tables.

For scikit-learn's digits, diabetes, wine and breast-cancer data (shipped inside
scikit-learn, nothing is downloaded) this script writes a 75/25 train/test split
(seed 0, stratified for classification) as CSV files, and the test score of
scikit-learn's MLP and linear model, each with its default settings behind a
StandardScaler, as a careful user would run them: accuracy for classification,
R² for regression. test/cli/defaults.test.ts trains `cortex` with its defaults on
the same files and checks it lands within 0.02 of the better of the two.

Run with Debian's python3 (python3-sklearn): /usr/bin/python3 scripts/sklearn-defaults.py
Output: test/fixtures/tables/<name>-train.csv, <name>-test.csv, reference.json
"""
import csv
import json
import os
import warnings

import sklearn
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "tables")
SETS = {
    "digits": (load_digits, "classification"),
    "diabetes": (load_diabetes, "regression"),
    "wine": (load_wine, "classification"),
    "breast-cancer": (load_breast_cancer, "classification"),
}


def write_csv(path, names, x, y, target):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(list(names) + [target])
        for row, t in zip(x, y):
            w.writerow([repr(float(v)) if not float(v).is_integer() else int(v) for v in row] + [t])


def main():
    warnings.simplefilter("ignore", ConvergenceWarning)
    os.makedirs(OUT, exist_ok=True)
    results = {"sklearn": sklearn.__version__, "split": "train_test_split(test_size=0.25, random_state=0, stratify=y for classification)", "sets": {}}
    for name, (load, task) in SETS.items():
        data = load()
        x, y = data.data, data.target
        classify = task == "classification"
        xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.25, random_state=0, stratify=y if classify else None)
        names = [f"f{i}" for i in range(x.shape[1])] if name == "digits" else [str(n).replace(" ", "_") for n in data.feature_names]
        labels = (lambda v: f"c{int(v)}") if classify else (lambda v: repr(float(v)))
        write_csv(os.path.join(OUT, f"{name}-train.csv"), names, xtr, map(labels, ytr), "target")
        write_csv(os.path.join(OUT, f"{name}-test.csv"), names, xte, map(labels, yte), "target")
        if classify:
            mlp = make_pipeline(StandardScaler(), MLPClassifier(random_state=0))
            linear = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
        else:
            mlp = make_pipeline(StandardScaler(), MLPRegressor(random_state=0))
            linear = make_pipeline(StandardScaler(), Ridge())
        scores = {}
        for label, model in (("mlp", mlp), ("linear", linear)):
            model.fit(xtr, ytr)
            scores[label] = round(float(model.score(xte, yte)), 4)
        results["sets"][name] = {
            "task": task,
            "metric": "accuracy" if classify else "r2",
            "trainRows": len(ytr),
            "testRows": len(yte),
            **scores,
            "best": max(scores.values()),
        }
        print(name, results["sets"][name])
    with open(os.path.join(OUT, "reference.json"), "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
