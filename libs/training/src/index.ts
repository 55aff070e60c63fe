export * from './classifier.types.js';
export { trainClassifier, type TrainedClassifier } from './classifier.trainer.js';
export { predictProbabilities, evaluateClassifier, type SplitEvaluation } from './classifier.predict.js';
export { TrainingInputError, TrainingDivergedError } from './training-input.error.js';
export { initTrainingBackend, type BackendInfo, type BackendName } from './tf.backend.js';
export { syntheticClasses, type SyntheticClassesOptions } from './synthetic-classes.fixture.js';
export { saveModel, loadModel, MODEL_FILE, WEIGHTS_FILE, META_FILE, type ModelMeta, type SaveModelOptions } from './model.store.js';
export { toTrainingResult, type TrainingResultContext } from './training-result.mapper.js';
export { skillSums, addSkillSums, skillFromSums, type SkillSums } from './skill.metrics.js';
