"""MLflow, with a local file store and no server: log and load, per-epoch metrics, autolog."""

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sklearn_electra import ElectraClassifier

mlflow = pytest.importorskip("mlflow", reason="the tracking extra: pip install sklearn-electra[tracking]")
import mlflow.sklearn  # noqa: E402
from mlflow.tracking import MlflowClient  # noqa: E402
from skorch.callbacks import MlflowLogger  # noqa: E402

X = ["good phone", "bad phone", "nice screen", "awful battery"] * 10
Y = ["pos", "neg", "pos", "neg"] * 10
SMALL = dict(max_length=16, vocab_size=100, random_state=0)


@pytest.fixture
def store(tmp_path, monkeypatch):
    # MLflow 3 refuses the file store unless asked: a database needs SQLAlchemy, which the
    # skinny client does not bring. The file store is what a laptop without a server has.
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    uri = (tmp_path / "mlruns").as_uri()
    mlflow.set_tracking_uri(uri)
    yield MlflowClient(uri)
    mlflow.sklearn.autolog(disable=True)
    if mlflow.active_run() is not None:
        mlflow.end_run()


def test_log_model_and_load_model_round_trip_exactly(store):
    clf = ElectraClassifier(**SMALL, max_epochs=2).fit(X, Y)
    with mlflow.start_run():
        # skops, MLflow's default, cannot hold a torch module; cloudpickle can (and, like any
        # pickle, loads only from a store you trust).
        info = mlflow.sklearn.log_model(clf, name="model", serialization_format="cloudpickle")
    loaded = mlflow.sklearn.load_model(info.model_uri)
    assert type(loaded) is ElectraClassifier
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_skorchs_mlflow_logger_records_every_epoch_of_our_fit(store):
    run = store.create_run(store.create_experiment("electra"))
    clf = ElectraClassifier(**SMALL, max_epochs=3, early_stopping=False,
                            callbacks=[MlflowLogger(run, store, create_artifact=False)]).fit(X, Y)
    for key in ("train_loss", "valid_loss", "valid_acc"):
        logged = [m.value for m in sorted(store.get_metric_history(run.info.run_id, key),
                                          key=lambda m: m.step)]
        assert logged == list(clf.history_[:, key]), key


def test_autolog_records_a_pipeline_with_our_parameters(store):
    mlflow.sklearn.autolog(log_models=False)
    with mlflow.start_run() as run:
        make_pipeline(FunctionTransformer(), ElectraClassifier(**SMALL, max_epochs=1, lr=7e-4)).fit(X, Y)
    data = store.get_run(run.info.run_id).data
    assert data.params["electraclassifier__lr"] == "0.0007"
    assert data.params["electraclassifier__max_length"] == "16"
    assert {"training_accuracy_score", "training_log_loss"} <= set(data.metrics)
    # autolog patches scikit-learn's own classes: our estimator on its own is not recorded.
    with mlflow.start_run() as bare:
        ElectraClassifier(**SMALL, max_epochs=1).fit(X, Y)
    assert store.get_run(bare.info.run_id).data.params == {}
