#!/usr/bin/python3
"""Writes scikit-learn reference outputs for Cortex's preprocessing tests.

Run with Debian's python3 (python3-sklearn): /usr/bin/python3 scripts/sklearn-reference.py
Output: test/fixtures/sklearn/preprocessing.json
"""
import json
import os

import numpy as np
import sklearn
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import LabelEncoder, MinMaxScaler, OneHotEncoder, StandardScaler

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'sklearn', 'preprocessing.json')


def lst(a):
    """NumPy array to nested lists of plain floats (NaN becomes None)."""
    return [[None if isinstance(v, float) and np.isnan(v) else v for v in row] for row in np.asarray(a).tolist()]


rng = np.random.default_rng(20261128)
train = rng.normal(loc=[5.0, -2.0, 100.0, 0.0], scale=[1.0, 0.1, 30.0, 1.0], size=(12, 4)).round(4)
train[:, 3] = 7.5  # a constant column
test = rng.normal(loc=[5.0, -2.0, 100.0, 7.5], scale=[2.0, 0.2, 60.0, 1.0], size=(5, 4)).round(4)

std = StandardScaler().fit(train)
mm = MinMaxScaler().fit(train)
mm2 = MinMaxScaler(feature_range=(-1, 2)).fit(train)

cat_train = [['red', 'S'], ['green', 'M'], ['blue', 'L'], ['green', 'S'], ['red', 'XL'], ['blue', 'M']]
cat_test = [['green', 'L'], ['purple', 'S'], ['red', 'XXL']]
ohe = OneHotEncoder(sparse_output=False).fit(cat_train)
ohe_ignore = OneHotEncoder(sparse_output=False, handle_unknown='ignore').fit(cat_train)

labels = ['virginica', 'setosa', 'versicolor', 'setosa', 'virginica', 'virginica']
le = LabelEncoder().fit(labels)
int_labels = [10, 3, 3, 7, 10, 2]
le_int = LabelEncoder().fit(int_labels)

nan = np.nan
imp_train = np.array([[1.0, nan, 3.0], [4.0, 2.0, nan], [nan, 2.0, 9.0], [10.0, 5.0, 3.0], [7.0, 5.0, 1.0]])
imp_test = np.array([[nan, nan, nan], [1.0, nan, 2.0]])
imputers = {}
for strategy in ['mean', 'median', 'most_frequent']:
    imp = SimpleImputer(strategy=strategy).fit(imp_train)
    imputers[strategy] = {'statistics': imp.statistics_.tolist(), 'test_out': lst(imp.transform(imp_test))}
cat_imp_train = np.array([['a', None], ['b', 'x'], [None, 'y'], ['b', 'y'], ['a', None]], dtype=object)
cat_imp = SimpleImputer(strategy='most_frequent', missing_values=None).fit(cat_imp_train)

fixture = {
    'sklearn_version': sklearn.__version__,
    'numeric': {'train': lst(train), 'test': lst(test)},
    'standard': {'mean': std.mean_.tolist(), 'scale': std.scale_.tolist(), 'train_out': lst(std.transform(train)), 'test_out': lst(std.transform(test))},
    'minmax': {'data_min': mm.data_min_.tolist(), 'data_max': mm.data_max_.tolist(), 'test_out': lst(mm.transform(test))},
    'minmax_range': {'range': [-1, 2], 'train_out': lst(mm2.transform(train)), 'test_out': lst(mm2.transform(test))},
    'onehot': {
        'train': cat_train,
        'test': cat_test,
        'categories': [c.tolist() for c in ohe.categories_],
        'train_out': lst(ohe.transform(cat_train)),
        'test_out_ignore': lst(ohe_ignore.transform(cat_test)),
    },
    'label': {'labels': labels, 'classes': le.classes_.tolist(), 'encoded': le.transform(labels).tolist(),
              'int_labels': int_labels, 'int_classes': le_int.classes_.tolist(), 'int_encoded': le_int.transform(int_labels).tolist()},
    'imputer': {'train': lst(imp_train), 'test': lst(imp_test), **imputers,
                'categorical': {'train': cat_imp_train.tolist(), 'statistics': cat_imp.statistics_.tolist(),
                                'train_out': cat_imp.transform(cat_imp_train).tolist()}},
}

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, 'w') as f:
    json.dump(fixture, f, indent=1)
print('wrote', os.path.normpath(OUT))
